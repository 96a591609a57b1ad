{
  "targets": [
    {
      "target_name": "uvhttp",
      "sources": [
        "native/addon.cc",
        "native/environment.cc",
        "native/idle_timers.cc",
        "native/field_names.cc",
        "native/js_call.cc",
        "native/bridge.cc",
        "native/listener.cc",
        "native/http_stream.cc",
        "native/llhttp_dialect.cc",
        "native/connection.cc",
        "native/foreign_stream.cc",
        "native/writer.cc",
        "native/parser/http_parser.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "3"
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
