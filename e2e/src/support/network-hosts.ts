// Separate "hosts" on one machine for a test: a network namespace each, joined by a bridge in our
// own namespace (a switch the test process is plugged into as well, at .1). Every host has only
// its loopback and its address on that private /24, so a service that assumes 127.0.0.1 for
// another host's server fails here as it would on a real network. Needs root (CI runs as root).
//
// remove() deletes the bridge and the namespaces, and must run even when the test fails (call it
// in afterAll); processes started in a namespace are not killed by that, so stop them first.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetworkHost {
  readonly name: string;
  /** `ip netns` name, for spawn options' `netns`. */
  readonly netns: string;
  readonly address: string;
}

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message} (network namespaces need root and iproute2)`);
  }
}

export class NetworkHosts {
  readonly hosts = new Map<string, NetworkHost>();
  /** Our own address on the bridge: services on the hosts reach the test process here. */
  readonly localAddress: string;
  /** The hosts' /24, e.g. for Postgres' pg_hba. */
  readonly cidr: string;
  private readonly id = randomBytes(3).toString('hex');
  private readonly bridge = `rnb${this.id}`;
  private readonly subnet: string;
  private readonly namespaces: string[] = [];
  private readonly links: string[] = [];

  private constructor() {
    // A random 10.x.y.0/24 (x 200–249): two runs at once never share a subnet by accident.
    const b = randomBytes(2);
    this.subnet = `10.${200 + (b[0]! % 50)}.${b[1]!}`;
    this.localAddress = `${this.subnet}.1`;
    this.cidr = `${this.subnet}.0/24`;
  }

  /** Creates the bridge and one namespace per name (addresses .2, .3, … in order). */
  static create(names: readonly string[]): NetworkHosts {
    const hosts = new NetworkHosts();
    try {
      hosts.setUp(names);
    } catch (error) {
      hosts.remove();
      throw error;
    }
    return hosts;
  }

  host(name: string): NetworkHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  }

  /** Removes what was created; never throws (it runs in afterAll, after a failure too). */
  remove(): void {
    for (const link of this.links.splice(0).reverse()) {
      try {
        execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      } catch {
        // gone with its namespace or its peer
      }
    }
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }

  private setUp(names: readonly string[]): void {
    ip('link', 'add', this.bridge, 'type', 'bridge');
    this.links.push(this.bridge);
    ip('addr', 'add', `${this.localAddress}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
    names.forEach((name, i) => {
      const netns = `rn-${this.id}-${name}`;
      const address = `${this.subnet}.${i + 2}`;
      // Interface names are at most 15 characters.
      const outside = `rn${this.id}o${i}`;
      const inside = `rn${this.id}i${i}`;
      ip('netns', 'add', netns);
      this.namespaces.push(netns);
      ip('-n', netns, 'link', 'set', 'lo', 'up');
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      this.links.push(outside);
      ip('link', 'set', inside, 'netns', netns);
      ip('link', 'set', outside, 'master', this.bridge);
      ip('link', 'set', outside, 'up');
      ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', inside);
      ip('-n', netns, 'link', 'set', inside, 'up');
      this.hosts.set(name, { name, netns, address });
    });
  }
}
