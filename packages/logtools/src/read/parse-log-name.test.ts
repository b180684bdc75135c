import { describe, expect, it } from 'vitest';
import { parseLogName } from './parse-log-name.js';

describe('parseLogName', () => {
  it.each([
    ['backend.log', 'backend', 'json', false],
    ['gpu_server.log.1', 'gpu_server', 'json', false],
    ['gpu_server.log.2.gz', 'gpu_server', 'json', true],
    ['telegram_bot.log', 'telegram_bot', 'json', false],
    ['comfyui.log', 'comfyui', 'comfyui', false],
    ['comfyui.log.1.gz', 'comfyui', 'comfyui', true],
    ['backend.log-20261128.gz', 'backend', 'json', true],
    ['backend.log.gz', 'backend', 'json', true],
    ['comfyui_8188.log', 'comfyui_8188', 'comfyui', false],
    ['comfyui.prev.log', 'comfyui', 'comfyui', false],
    ['comfyui_8188.prev2.log', 'comfyui_8188', 'comfyui', false],
    ['comfyui_backup.log', 'comfyui_backup', 'json', false],
  ])('reads %s', (name, base, kind, gz) => {
    expect(parseLogName(name)).toMatchObject({ base, kind, gz });
  });

  it.each(['notes.txt', 'backend.log.bak', '.log', 'backend.logs', 'expected.json', 'x.log.tmp'])('ignores %s', (name) => {
    expect(parseLogName(name)).toBeUndefined();
  });

  it('orders a rotation set oldest first', () => {
    const names = ['backend.log', 'backend.log.1', 'backend.log.3.gz', 'backend.log.2'];
    const sorted = [...names].sort((a, b) => (parseLogName(a)?.age ?? 0) - (parseLogName(b)?.age ?? 0));
    expect(sorted).toEqual(['backend.log.3.gz', 'backend.log.2', 'backend.log.1', 'backend.log']);
    const dated = ['backend.log', 'backend.log-20261128', 'backend.log-20261127.gz'];
    dated.sort((a, b) => (parseLogName(a)?.age ?? 0) - (parseLogName(b)?.age ?? 0));
    expect(dated).toEqual(['backend.log-20261127.gz', 'backend.log-20261128', 'backend.log']);
  });

  it("orders ComfyUI-Manager's rotations oldest first (.prev2, .prev, the live file)", () => {
    const names = ['comfyui_8188.log', 'comfyui_8188.prev.log', 'comfyui_8188.prev2.log'];
    names.sort((a, b) => (parseLogName(a)?.age ?? 0) - (parseLogName(b)?.age ?? 0));
    expect(names).toEqual(['comfyui_8188.prev2.log', 'comfyui_8188.prev.log', 'comfyui_8188.log']);
  });
});
