// Server options that appeared within a Node line, on when the running Node has them, so that
// uvhttp follows the node:http it replaces (README "Differences between Node lines").
const [major, minor, patch] = process.versions.node.split('.').map(Number);

// True from the first release of each listed line that has it (e.g. '22.19.0', '24.6.0'), and
// on every line after the last listed; false on earlier lines and on the unlisted ones between.
function since(...firsts: string[]): boolean {
  const releases = firsts.map((v) => v.split('.').map(Number));
  const same = releases.find((r) => r[0] === major);
  if (same) return minor > same[1] || (minor === same[1] && patch >= same[2]);
  return major > Math.max(...releases.map((r) => r[0]));
}

// Server.keepAliveTimeoutBuffer: how long past keepAliveTimeout an idle connection stays open.
export const hasKeepAliveTimeoutBuffer = since('22.19.0', '24.6.0');
