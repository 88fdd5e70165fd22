// CO-RE relocation specs in libbpf's words, against what libbpf 1.1 logged for the same objects
// (test/golden/core-spec.sh runs ../shared/oracles/core_oracle).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeCoreRelo } from '../../server/src/core/core-relo/spec';
import { openBtfBytes } from '../../server/src/core/input';
import { fixtureObj, golden } from '../helpers/paths';

const dir = join(golden, 'core-spec');
describe('CO-RE spec text equals libbpf', () => {
  const goldens = readdirSync(dir).filter((f) => f.endsWith('.txt'));
  it('has goldens covering every relocation kind', () => {
    const all = goldens.map((g) => readFileSync(join(dir, g), 'utf8')).join('');
    for (const k of ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id', 'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value']) {
      assert.ok(all.includes(`<${k}>`), `no golden line for <${k}>`);
    }
  });
  for (const g of goldens) {
    const obj = g.replace(/\.txt$/, '');
    for (const variant of [obj, obj.replace('.bpfel.', '.bpfeb.')]) {
      if (variant !== obj && (obj.includes('.gcc.') || obj.startsWith('core.'))) continue; // no BE twin / BE code differs
      it(`${variant}${variant !== obj ? ' (big-endian, against the little-endian golden)' : ''}`, () => {
        const input = openBtfBytes(readFileSync(join(fixtureObj, variant)), { file: variant });
        const ours: string[] = [];
        for (const sec of input.ext!.coreRelo) {
          for (const r of sec.records) {
            const d = describeCoreRelo(input.btf!, r.typeId, input.btf!.str(r.accessStrOff), r.kind);
            assert.equal(d.error, undefined, d.text);
            ours.push(d.text);
          }
        }
        // libbpf logs per program in its own order; the set of texts (with multiplicity) must agree.
        const theirs = readFileSync(join(dir, g), 'utf8').trim().split('\n').map((l) => l.replace(/^\S+ #\d+: /, ''));
        if (!obj.includes('.gcc.')) {
          assert.deepEqual(ours.sort(), theirs.sort());
          return;
        }
        // On bpf-gcc objects libbpf 1.1 gives up after the first program (no func_info): what it did log must be ours.
        const left = [...ours];
        for (const t of theirs) {
          const i = left.indexOf(t);
          assert.ok(i >= 0, `libbpf logged ${t}, we did not`);
          left.splice(i, 1);
        }
      });
    }
  }
});
