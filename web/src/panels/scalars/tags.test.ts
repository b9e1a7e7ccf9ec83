import { describe, expect, it } from 'vitest';
import { groupTags, tagGroup, tagMatcher } from './tags';

describe('tag groups', () => {
  it('groups by the prefix before the first slash', () => {
    expect(tagGroup('train/loss')).toBe('train');
    expect(tagGroup('train/layer/grad')).toBe('train');
    expect(tagGroup('lr')).toBe('other');
    expect(tagGroup('/odd')).toBe('other');
  });

  it('orders groups naturally with other last', () => {
    const g = groupTags(['lr', 'test/acc', 'train/loss', 'train/acc', 'epoch', 'layer10/w', 'layer2/w']);
    expect(g).toEqual([
      { name: 'layer2', tags: ['layer2/w'] },
      { name: 'layer10', tags: ['layer10/w'] },
      { name: 'test', tags: ['test/acc'] },
      { name: 'train', tags: ['train/acc', 'train/loss'] },
      { name: 'other', tags: ['epoch', 'lr'] },
    ]);
  });
});

describe('tagMatcher', () => {
  it('matches everything when empty', () => {
    expect(tagMatcher('  ').test('x')).toBe(true);
  });
  it('uses a case-insensitive regex', () => {
    const m = tagMatcher('^train/(loss|acc)$');
    expect(m.test('train/loss')).toBe(true);
    expect(m.test('Train/ACC')).toBe(true);
    expect(m.test('test/loss')).toBe(false);
    expect(m.literal).toBe(false);
  });
  it('falls back to a substring for an invalid regex', () => {
    const m = tagMatcher('acc(');
    expect(m.literal).toBe(true);
    expect(m.test('top1 acc(val)')).toBe(true);
    expect(m.test('loss')).toBe(false);
  });
});
