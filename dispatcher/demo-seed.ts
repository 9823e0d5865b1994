/**
 * The fixed demo community (issue: hub core). Idempotent: a second run finds it and adds
 * nothing. Docs, drills and tests rely on these names, ids and passwords.
 *   管城区 › 城东路街道 › 商城花园社区 › 第一网格 (demo-0001..0010), 第二网格 (demo-0011..0020)
 */
import type { Store } from './store/store.ts';
import { hashSecretSync } from './auth/secrets.ts';
import { EVERY_DAY } from './domain/roster.ts';
import { seedDemoRf } from './rf/demo-rf.ts';

export const DEMO_STAFF_PASSWORD = 'demo-pass';
export const DEMO_DEVICE_SECRET = 'demo-secret';
export const DEMO_LOGINS = [
  { username: 'grid1', who: '第一网格 网格员, on duty around the clock' },
  { username: 'grid2', who: '第二网格 网格员, on duty around the clock' },
  { username: 'community', who: '商城花园社区 网格长 (community-level grid leader)' },
  { username: 'admin', who: 'administrator, on duty at 管城区 (the top of the chain)' },
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const GIVEN = ['秀英', '桂兰', '建国', '玉珍', '德福', '淑芬', '志强', '凤英', '国华', '兰英', '振华', '素珍', '长林', '桂芳', '明德', '翠花', '福生', '玉兰', '金山', '春梅'];
const NOTES = ['高血压，服用氨氯地平', '糖尿病，注射胰岛素', '冠心病，随身携带硝酸甘油', '轻度认知障碍', '髋关节置换术后，行动不便', '慢阻肺，家中有制氧机',
  '青霉素过敏', '听力差，请大声敲门', '心脏起搏器', '独居，视力差'];
const RELATIONS = ['儿子', '女儿', '侄子', '外甥女'];

export function demoDeviceId(n: number): string {
  return `demo-${String(n).padStart(4, '0')}`;
}

export function seedDemo(store: Store, now: number): { created: boolean } {
  const existing = store.grid.findChild(null, '管城区');
  if (existing && store.staff.byUsername('grid1')) {
    seedDemoRf(store, now); // RF buttons (issue 5) also reach demo databases made before them
    return { created: false };
  }
  const staffHash = hashSecretSync(DEMO_STAFF_PASSWORD);
  const deviceHash = hashSecretSync(DEMO_DEVICE_SECRET);
  store.tx(() => {
    const district = store.grid.add(null, '管城区', 'district');
    const street = store.grid.add(district.id, '城东路街道', 'street');
    const community = store.grid.add(street.id, '商城花园社区', 'community');
    const grids = [store.grid.add(community.id, '第一网格', 'grid'), store.grid.add(community.id, '第二网格', 'grid')];
    const mk = (username: string, displayName: string, role: 'staff' | 'leader' | 'admin', scope: number | null, phone: string) =>
      store.staff.create({ username, displayName, role, scopeNodeId: scope, phone }, staffHash, now);
    const g1 = mk('grid1', '李娜 (第一网格)', 'staff', grids[0].id, '13800000001');
    const g2 = mk('grid2', '王强 (第二网格)', 'staff', grids[1].id, '13800000002');
    const leader = mk('community', '张敏 (社区网格长)', 'leader', community.id, '13800000003');
    const admin = mk('admin', '管理员', 'admin', null, '13800000004');
    const allDay = { weekdays: EVERY_DAY, startMin: 0, endMin: 1440 };
    store.rosters.addShift(grids[0].id, { staffId: g1.id, ...allDay });
    store.rosters.addShift(grids[1].id, { staffId: g2.id, ...allDay });
    store.rosters.addShift(community.id, { staffId: leader.id, ...allDay });
    store.rosters.addShift(district.id, { staffId: admin.id, ...allDay });
    for (let i = 1; i <= 20; i++) {
      const grid = i <= 10 ? grids[0] : grids[1];
      const building = Math.ceil(i / 4);
      const hh = store.households.create({
        gridId: grid.id,
        address: `郑州市管城区城东路商城花园${building}号楼${(i % 4) + 1}单元${100 + i}室`,
        accessNote: i % 3 === 0 ? '钥匙在门卫室（编号' + i + '）' : i % 3 === 1 ? '邻居' + (200 + i) + '室有备用钥匙' : '门禁密码 ' + (1000 + i * 7),
        residents: [{ name: SURNAMES[i - 1] + GIVEN[i - 1], age: 68 + ((i * 7) % 25), phone: `1390000${String(i).padStart(4, '0')}`, medicalNote: NOTES[(i - 1) % NOTES.length] }],
        contacts: [{ name: SURNAMES[i - 1] + '先生', relation: RELATIONS[i % RELATIONS.length], phone: `1370000${String(i).padStart(4, '0')}` }],
      }, now);
      store.devices.create({ id: demoDeviceId(i), kind: 'mqtt-button', householdId: hh.id }, deviceHash, now);
    }
  });
  seedDemoRf(store, now);
  return { created: true };
}
