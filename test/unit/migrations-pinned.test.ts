/**
 * Landed migrations are never edited: each one's sha256 is pinned here. A database that ran a
 * migration never runs it again, so an edited migration would leave existing databases and new
 * ones with different schemas. Change the schema in a NEW migration (and add its line below once
 * it lands); functions change in their `.sql` files (server/src/db/repeatable.ts).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../server/src/db/knex.ts';

const LANDED: ReadonlyArray<readonly [file: string, sha256: string]> = [
  ['20251124160000_service_metadata.ts', '2a60dfae25a07780843f61562d2d83d7ca73ea042fdbb49301d821c2fe0934c2'],
  ['20261124170000_organizations_agents_keys.ts', '5bb3a56932bbe8ecd552c66f8fb84606c1c5b19994cab45016dbaf0e4f814069'],
  ['20261124180000_messaging.ts', '723a89196b7a161bfeb4123928a330e4c6533e3b410424e3bfb8ce39fcdf0520'],
  ['20261124190000_delivery.ts', '93c5dd2d510bfc7f9fea1b91ccf2ac867c366c126d60c2ff1c17ca65d1ea6f76'],
  ['20261124200000_delivery_workers.ts', '9320f7f7b51d1b51bf257f53ffec97ac22506b689a011e48840b5e7748dc4c1f'],
  ['20261124210000_connection_alerts.ts', '02b2d2330f6954d67b07c0743133ac06af7115f2d5a9405c6149a64b335dd1b9'],
  ['20261129220000_accept_send_function.ts', 'f34705175ca617367c46af38ccb73911d8c59d3de26caca2d814f024995039a8'],
  ['20261201120000_repeatable_sql.ts', '71d656cd37e99d64968eef25b12c18214b3e8fc737e30411c2efd67d7ad57a9d'],
  ['20261201130000_list_indexes.ts', '27c1c034941fd8eae79bc212ee44da01a924075e7b5c4e68726b5ec36a91b1af'],
  ['20261201140000_webhooks.ts', 'ba0588d5bd9c01e97fe40257c6ff2b21e1999625e7046336979c3deb94302f7b'],
  ['20261201150000_key_change_notifications.ts', '8cf3a29f47ac38b776e06ae7952f6285d5d2929eeb450f3bbd0942c622e9f700'],
  ['20261201160000_retention_indexes.ts', '994c4447f3b0dc731c273119e59c26c3ef5bb0c788c2ec8adc42d9568f209c52'],
  ['20261201170000_event_delivery_backlog.ts', '931b92dfff3192b547847d70492f86cd2a2079929d669f786a0ce9da848e8f7a'],
];

const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(MIGRATIONS_DIR, file)))
    .digest('hex');

describe('landed migrations', () => {
  it('are unchanged: each file has the sha256 it landed with', () => {
    const changed = LANDED.filter(([file, pinned]) => {
      try {
        return sha256(file) !== pinned;
      } catch {
        return true;
      }
    });
    expect(
      changed.map(([file]) => file),
      'these landed migrations were edited or removed; restore them and put the change in a new migration',
    ).to.deep.equal([]);
  });

  it('are all pinned, and new ones come after them', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.ts'))
      .sort();
    const pinned = new Set(LANDED.map(([file]) => file));
    const unpinned = files.filter((f) => !pinned.has(f));
    const last = LANDED[LANDED.length - 1]![0];
    expect(
      unpinned.filter((f) => f < last),
      'a new migration must sort after the last landed one',
    ).to.deep.equal([]);
    expect(
      unpinned.map((f) => `['${f}', '${sha256(f)}'],`),
      'pin each new migration in test/unit/migrations-pinned.test.ts when it lands (add these lines)',
    ).to.deep.equal([]);
  });
});
