// scripts/install-pi.sh against a fake root (--root): what it writes, what it would run, that a
// second run changes nothing; the README's NetworkManager recipe with nmcli --offline (its lint:
// test/scripts/shell-scripts.test.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const SCRIPT = join(repoRoot, "scripts", "install-pi.sh");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The commands it would run ("+ …" lines, without the "+ "). */
  commands: string[];
}

function install(...args: string[]): Run {
  // SUDO_USER would change the build commands; the tests describe a plain root shell.
  const env = { ...process.env };
  delete env.SUDO_USER;
  const result = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    commands: result.stdout.split("\n").filter((line) => line.startsWith("+ ")).map((line) => line.slice(2)),
  };
}

/** Every path under `root` with its type, mode and content. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isDirectory()) {
        entries[relative(root, path)] = `dir ${mode}`;
        walk(path);
      } else {
        entries[relative(root, path)] = `file ${mode}\n${readFileSync(path, "utf8")}`;
      }
    }
  };
  walk(root);
  return entries;
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "namstomp-install-"));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let rootCount = 0;
/** A fake Raspberry Pi OS root: os-release, the audio and gpio groups, a device-tree model. */
async function fakeRoot(model: string | null = "Raspberry Pi 4 Model B Rev 1.5"): Promise<string> {
  const root = join(scratch, `root-${++rootCount}`);
  await mkdir(join(root, "etc"), { recursive: true });
  await writeFile(join(root, "etc", "os-release"), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n');
  await writeFile(join(root, "etc", "group"), "root:x:0:\naudio:x:29:\ngpio:x:997:\n");
  if (model !== null) {
    await mkdir(join(root, "proc", "device-tree"), { recursive: true });
    await writeFile(join(root, "proc", "device-tree", "model"), `${model}\0`);
  }
  return root;
}

/** A stand-in `node` that reports `version`. */
function fakeNode(version: string): string {
  const path = join(scratch, `node-${version}`);
  writeFileSync(path, `#!/bin/sh\necho ${version}\n`);
  chmodSync(path, 0o755);
  return path;
}

function fakeRootFiles(root: string): Record<string, string> {
  const tree = snapshot(root);
  for (const setup of ["etc", "etc/os-release", "etc/group", "proc", "proc/device-tree", "proc/device-tree/model"]) delete tree[setup];
  return tree;
}

describe("install-pi.sh against a fake root", () => {
  it("writes the unit, settings, udev rule and directories, and prints the commands it would run", async () => {
    const root = await fakeRoot();
    const run = install("--root", root, "--node", "/usr/bin/node");
    assert.equal(run.status, 0, run.stderr);

    const tree = fakeRootFiles(root);
    assert.deepEqual(Object.keys(tree).sort(), [
      "etc/default",
      "etc/default/namstomp",
      "etc/systemd",
      "etc/systemd/system",
      "etc/systemd/system/namstomp-cpu-performance.service",
      "etc/systemd/system/namstomp.service",
      "etc/udev",
      "etc/udev/rules.d",
      "etc/udev/rules.d/90-namstomp-usb-audio.rules",
      "opt",
      "opt/namstomp",
      "var",
      "var/lib",
      "var/lib/namstomp",
    ]);
    const file = (path: string) => readFileSync(join(root, path), "utf8");
    assert.equal(file("etc/systemd/system/namstomp.service"), readFileSync(join(repoRoot, "systemd", "namstomp.service"), "utf8"));
    assert.equal(
      file("etc/systemd/system/namstomp-cpu-performance.service"),
      readFileSync(join(repoRoot, "systemd", "namstomp-cpu-performance.service"), "utf8"),
    );
    assert.equal(tree["var/lib/namstomp"], "dir 750");
    assert.equal(tree["etc/systemd/system/namstomp.service"]!.split("\n")[0], "file 644");
    assert.match(file("etc/default/namstomp"), /^NAMSTOMP_DATA_DIR=\/var\/lib\/namstomp$/m);
    assert.match(
      file("etc/udev/rules.d/90-namstomp-usb-audio.rules"),
      /^ACTION!="remove", SUBSYSTEM=="usb", ENV\{DEVTYPE\}=="usb_device", ENV\{ID_USB_INTERFACES\}=="\*:01\?\?\?\?:\*", ATTR\{power\/control\}="on"$/m,
    );

    const commands = run.commands;
    const apt = commands.find((c) => c.includes("apt-get install"));
    assert.ok(apt, "apt-get install");
    for (const pkg of ["portaudio19-dev", "libasound2-dev", "gpiod", "build-essential", "pkg-config", "python3"]) {
      assert.ok(apt.split(" ").includes(pkg), `installs ${pkg}`);
    }
    assert.ok(commands.includes("apt-get update"));
    assert.ok(commands.some((c) => /^useradd --system --user-group --home-dir \/var\/lib\/namstomp .*--shell \/usr\/sbin\/nologin .* namstomp$/.test(c)));
    assert.ok(commands.includes("usermod --append --groups audio namstomp"));
    assert.ok(commands.includes("usermod --append --groups gpio namstomp"));
    assert.ok(commands.includes("chown namstomp:namstomp /var/lib/namstomp"));
    assert.ok(commands.includes(`npm --prefix ${repoRoot} ci`));
    assert.ok(commands.includes(`npm --prefix ${repoRoot} run build`));
    assert.ok(commands.some((c) => c.startsWith("rsync ") && c.endsWith(" /opt/namstomp/")));
    assert.ok(commands.includes("npm --prefix /opt/namstomp ci --omit=dev"));
    assert.ok(commands.includes("udevadm control --reload-rules"));
    // The service comes last: units in place, then reload, enable and (re)start.
    assert.deepEqual(commands.slice(-4), [
      "systemctl daemon-reload",
      "systemctl enable namstomp-cpu-performance.service namstomp.service",
      "systemctl restart namstomp-cpu-performance.service",
      "systemctl restart namstomp.service",
    ]);
    assert.match(run.stdout, /board: Raspberry Pi 4 Model B Rev 1.5/);
  });

  it("is idempotent: a second run leaves the same files and runs the same commands", async () => {
    const root = await fakeRoot("Raspberry Pi 5 Model B Rev 1.0");
    const first = install("--root", root);
    assert.equal(first.status, 0, first.stderr);
    const afterFirst = snapshot(root);
    const second = install("--root", root);
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(snapshot(root), afterFirst);
    assert.deepEqual(second.commands, first.commands);
    assert.doesNotMatch(second.stdout, /^ {4}wrote /m);
    assert.match(second.stdout, /unchanged \/etc\/systemd\/system\/namstomp.service/);
    assert.match(second.stdout, /kept \/etc\/default\/namstomp \(exists\)/);
  });

  it("keeps edited settings, restores an edited unit, and does not re-create an existing user", async () => {
    const root = await fakeRoot();
    assert.equal(install("--root", root).status, 0);
    await writeFile(join(root, "etc", "default", "namstomp"), "NAMSTOMP_DATA_DIR=/srv/pedal\n");
    await writeFile(join(root, "etc", "systemd", "system", "namstomp.service"), "[Service]\n");
    await writeFile(join(root, "etc", "passwd"), "namstomp:x:998:998::/var/lib/namstomp:/usr/sbin/nologin\n");
    const run = install("--root", root);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(join(root, "etc", "default", "namstomp"), "utf8"), "NAMSTOMP_DATA_DIR=/srv/pedal\n");
    assert.equal(
      readFileSync(join(root, "etc", "systemd", "system", "namstomp.service"), "utf8"),
      readFileSync(join(repoRoot, "systemd", "namstomp.service"), "utf8"),
    );
    assert.ok(!run.commands.some((c) => c.startsWith("useradd")));
    assert.match(run.stdout, /namstomp exists/);
    assert.ok(run.commands.includes("usermod --append --groups audio namstomp"));
  });

  it("--no-start enables but does not start; a Node elsewhere gets an ExecStart drop-in, removed again later", async () => {
    const root = await fakeRoot();
    const node = fakeNode("22.11.0");
    const run = install("--root", root, "--no-start", "--node", node);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.commands.includes("systemctl enable namstomp-cpu-performance.service namstomp.service"));
    assert.ok(!run.commands.some((c) => c.startsWith("systemctl restart") || c.startsWith("systemctl start")));
    const dropIn = join(root, "etc", "systemd", "system", "namstomp.service.d", "10-node.conf");
    assert.match(readFileSync(dropIn, "utf8"), new RegExp(`^\\[Service\\]\\nExecStart=\\nExecStart=${node} /opt/namstomp/dist/firmware/cli/main.js start$`, "m"));

    const back = install("--root", root, "--no-start", "--node", "/usr/bin/node");
    if (existsSync("/usr/bin/node")) {
      assert.equal(back.status, 0, back.stderr);
      assert.ok(!existsSync(dropIn), "the drop-in goes when Node is back at /usr/bin/node");
    }
  });

  it("refuses a Node older than 20 before changing anything", async () => {
    const root = await fakeRoot();
    const run = install("--root", root, "--node", fakeNode("18.19.0"));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Node\.js 18\.19\.0 at .*: namstomp needs 20 or newer/);
    assert.deepEqual(run.commands, []);
    assert.deepEqual(Object.keys(fakeRootFiles(root)), []);
  });

  it("warns on a board that is not a Pi 4 or 5 and installs anyway", async () => {
    const noModel = await fakeRoot(null);
    const run = install("--root", noModel, "--no-start");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /warning: no device-tree model: not a Raspberry Pi/);
    const pi3 = install("--root", await fakeRoot("Raspberry Pi 3 Model B Plus Rev 1.3"), "--no-start");
    assert.match(pi3.stderr, /warning: board "Raspberry Pi 3 Model B Plus Rev 1.3" is not a Raspberry Pi 4 or 5/);
  });

  it("skips a group that does not exist, with a warning", async () => {
    const root = await fakeRoot();
    await writeFile(join(root, "etc", "group"), "audio:x:29:\n");
    const run = install("--root", root, "--no-start");
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.commands.includes("usermod --append --groups audio namstomp"));
    assert.ok(!run.commands.some((c) => c.includes("--groups gpio")));
    assert.match(run.stderr, /no group gpio here/);
  });

  it("--dry-run writes nothing", async () => {
    const root = await fakeRoot();
    const run = install("--root", root, "--dry-run");
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(Object.keys(fakeRootFiles(root)), []);
    assert.match(run.stdout, /would write \/etc\/systemd\/system\/namstomp.service/);
    assert.match(run.stdout, /would create \/var\/lib\/namstomp/);
    assert.ok(run.commands.includes("systemctl restart namstomp.service"));
  });

  it("rejects an unknown option and prints its usage with --help", () => {
    const bad = install("--frobnicate");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown option --frobnicate/);
    const help = install("--help");
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: sudo scripts\/install-pi\.sh /);
    assert.match(help.stdout, /--root DIR/);
  });
});

describe("scripts/README-install.md access point recipe", () => {
  const readme = readFileSync(join(repoRoot, "scripts", "README-install.md"), "utf8");
  const block = /```sh\n(sudo nmcli connection add [\s\S]*?)\n```/.exec(readme)?.[1];
  /** The recipe's arguments after `nmcli`, continuation lines joined, quotes removed. */
  const args = () =>
    block!
      .replace(/\\\n/g, " ")
      .match(/'[^']*'|\S+/g)!
      .map((word) => word.replace(/^'(.*)'$/, "$1"))
      .slice(2);

  it("is a WPA2 access point with a shared connection that loses to every known network", () => {
    assert.ok(block, "an nmcli connection add block");
    const words = args();
    const setting = (key: string) => words[words.indexOf(key) + 1];
    assert.deepEqual(words.slice(0, 3), ["connection", "add", "type"]);
    assert.equal(setting("802-11-wireless.mode"), "ap");
    assert.equal(setting("ipv4.method"), "shared");
    assert.equal(setting("wifi-sec.key-mgmt"), "wpa-psk");
    assert.equal(setting("autoconnect"), "yes");
    assert.ok(Number(setting("connection.autoconnect-priority")) < 0);
  });

  const nmcli = spawnSync("nmcli", ["--version"]).status === 0;
  it("makes the expected profile with nmcli --offline", { skip: nmcli ? false : "nmcli is not installed (Debian package network-manager)" }, () => {
    const result = spawnSync("nmcli", ["--offline", ...args()], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const keyfile = result.stdout;
    assert.match(keyfile, /^id=namstomp-ap$/m);
    assert.match(keyfile, /^autoconnect-priority=-100$/m);
    assert.match(keyfile, /^interface-name=wlan0$/m);
    assert.match(keyfile, /\[wifi\][^[]*^mode=ap$/m);
    assert.match(keyfile, /\[wifi-security\][^[]*^key-mgmt=wpa-psk$/m);
    assert.match(keyfile, /\[ipv4\][^[]*^address1=10\.42\.0\.1\/24$/m);
    assert.match(keyfile, /\[ipv4\][^[]*^method=shared$/m);
  });
});
