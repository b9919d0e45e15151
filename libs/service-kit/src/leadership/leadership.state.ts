/**
 * This instance's role among its service's instances, for everyone inside the process: /health
 * and /info show it, services wait for it (the ResourceManager's heartbeat grace period starts
 * when leadership is granted; the JobManager recovers jobs then). A service without leader
 * election is its own leader from the start. runService drives it; nothing else changes it.
 */
import { Injectable } from '@nestjs/common';

export const LeadershipRoles = {
  /** This instance serves (won the election, or there is no election). */
  Leader: 'leader',
  /** Another instance leads; this one waits to take over. */
  Standby: 'standby',
} as const;
export type LeadershipRole = (typeof LeadershipRoles)[keyof typeof LeadershipRoles];

export interface LeadershipView {
  readonly role: LeadershipRole;
  /** Whether the instances of this service elect a leader. */
  readonly elected: boolean;
  /** Who leads (this instance's id when it does; undefined while unknown). */
  readonly leader?: string;
  /** When this instance became the leader (epoch ms). */
  readonly since?: number;
}

@Injectable()
export class LeadershipState {
  private role: LeadershipRole = LeadershipRoles.Leader;
  private elected = false;
  private leader?: string;
  private since: number = Date.now();
  private readonly grantedListeners: Array<() => void> = [];

  constructor(private readonly selfId: string) {
    this.leader = selfId;
  }

  get isLeader(): boolean {
    return this.role === LeadershipRoles.Leader;
  }

  /** When leadership was granted (the start of the process without an election). */
  get grantedAt(): number | undefined {
    return this.isLeader ? this.since : undefined;
  }

  view(): LeadershipView {
    return {
      role: this.role,
      elected: this.elected,
      ...(this.leader ? { leader: this.leader } : {}),
      ...(this.isLeader ? { since: this.since } : {}),
    };
  }

  /** Runs `listener` when this instance becomes the leader — at once when it already is. */
  onGranted(listener: () => void): void {
    if (this.isLeader) listener();
    else this.grantedListeners.push(listener);
  }

  /** runService: this instance takes part in an election and waits as a standby. */
  enterElection(): void {
    this.elected = true;
    this.role = LeadershipRoles.Standby;
    this.leader = undefined;
  }

  /** runService: a standby learnt who leads. */
  noteLeader(leaderId: string | undefined): void {
    if (!this.isLeader) this.leader = leaderId;
  }

  /** runService: this instance won the election. */
  grant(): void {
    if (this.isLeader) return;
    this.role = LeadershipRoles.Leader;
    this.leader = this.selfId;
    this.since = Date.now();
    for (const listener of this.grantedListeners.splice(0)) listener();
  }
}
