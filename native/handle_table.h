// Ids that JS holds instead of pointers. An id is a slot index plus a generation, so an id kept
// by JS after its object is gone finds nothing rather than a reused object (DESIGN: "a JS object
// never points at native memory that can be reused under it").
#pragma once

#include <cstdint>
#include <vector>

namespace uvhttp {

template <typename T>
class HandleTable {
 public:
  // Ids are below 2^53 so that they travel as JS numbers without loss.
  using Id = uint64_t;

  Id Add(T* object) {
    uint32_t index;
    if (free_.empty()) {
      index = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{});
    } else {
      index = free_.back();
      free_.pop_back();
    }
    Slot& slot = slots_[index];
    slot.object = object;
    return (static_cast<Id>(slot.generation) << kIndexBits) | index;
  }

  T* Get(Id id) const {
    uint64_t index = id & kIndexMask;
    if (index >= slots_.size()) return nullptr;
    const Slot& slot = slots_[index];
    if (slot.object == nullptr || slot.generation != (id >> kIndexBits)) return nullptr;
    return slot.object;
  }

  void Remove(Id id) {
    uint32_t index = static_cast<uint32_t>(id & kIndexMask);
    Slot& slot = slots_[index];
    slot.object = nullptr;
    slot.generation = (slot.generation + 1) & kGenerationMask;
    free_.push_back(index);
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& slot : slots_) {
      if (slot.object != nullptr) f(slot.object);
    }
  }

  size_t size() const { return slots_.size() - free_.size(); }

 private:
  static constexpr unsigned kIndexBits = 24;
  static constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
  static constexpr uint32_t kGenerationMask = (uint32_t{1} << 28) - 1;

  struct Slot {
    T* object = nullptr;
    uint32_t generation = 0;
  };

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace uvhttp
