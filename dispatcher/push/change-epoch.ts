/**
 * The epoch of change numbers, for console resume.
 *
 * Consoles hear of a device event's change as soon as it commits, a fraction of a millisecond
 * before the WAL's fdatasync returns (alerts/commit-units.ts). A process crash loses nothing
 * that was committed (the operating system still writes it out), but a power cut or kernel
 * crash in that window can lose the last changes, and the restarted hub would then hand their
 * numbers out again: a console resuming from a lost number would skip the new changes that
 * reuse it. Both lose the operating system's boot, so the epoch is the kernel's boot id: a
 * console resumes across hub restarts within one boot of the machine, and after a reboot (or
 * on another machine) gets a fresh snapshot. Where there is no boot id, every hub start is a
 * new epoch.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

export function changeEpoch(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  } catch { /* not Linux */ }
  return randomUUID();
}
