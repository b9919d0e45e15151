import { murmur3_32 } from './murmur3.hash';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('murmur3_32', () => {
  // Reference vectors of MurmurHash3_x86_32 (published with the SMHasher reference implementation).
  it.each([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['aaa', 0x9747b28c, 0x283e0130],
    ['aa', 0x9747b28c, 0x5d211726],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hash(%j, %d)', (input, seed, expected) => {
    expect(murmur3_32(utf8(input), seed)).toBe(expected);
  });
});
