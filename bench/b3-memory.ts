/**
 * 3. Memory per connected device: RSS of the broker process before and after N devices
 * connect (hub: authenticated devices with Will and a down/# subscription; reference: the
 * same on Mosquitto, anonymous). Per device = ΔRSS / N.
 */
import { closeAll, connectPool, hubDevice, mosquittoPid, refDevice, rssKb, sleep, type BenchHub } from './common.ts';

export interface MemorySize { devices: number }

export async function memory(size: MemorySize, target: 'hub' | 'ref', hub: BenchHub): Promise<Record<string, number>> {
  const pid = target === 'hub' ? hub.proc.pid! : mosquittoPid();
  if (!pid) throw new Error('no mosquitto process found');
  await sleep(2000);
  const before = rssKb(pid);
  const clients = await connectPool(size.devices, (i) => (target === 'hub' ? hubDevice(hub, i) : refDevice(i)), 100);
  clients.forEach((c, i) => c.subscribe(target === 'hub' ? `anxin/v1/dev/${hub.creds[i].id}/down/#` : `benchref3/${i}/down/#`, 1));
  await sleep(5000);
  const after = rssKb(pid);
  closeAll(clients);
  await sleep(2000);
  return { devices: size.devices, rssBeforeMb: before / 1024, rssAfterMb: after / 1024, kbPerDevice: (after - before) / size.devices };
}
