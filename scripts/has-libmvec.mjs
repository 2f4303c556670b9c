// Prints 1 when the C++ compiler can link glibc's vector maths library (libmvec), else 0.
// binding.gyp asks this before linking -lmvec: musl and older or partial toolchains lack it, and a
// failed link would cost the whole native backend, not just the vector exp/log1p of
// native/logistic_model.cc (which falls back to scalar libm without PT_HAVE_LIBMVEC).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ok = false;
if (process.platform === 'linux') {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-mvec-'));
  try {
    const src = join(dir, 't.cc');
    writeFileSync(src, 'int main() { return 0; }\n');
    const cxx = process.env.CXX || 'g++';
    const r = spawnSync(cxx, [src, '-lmvec', '-o', join(dir, 't')], { stdio: 'ignore' });
    ok = r.status === 0;
  } catch {
    ok = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(ok ? '1' : '0');
