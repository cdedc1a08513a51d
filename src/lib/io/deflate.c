/* deflate.c - a fast deflate coder for PNG's lowest level: runs and Huffman
 * codes, no match search.
 *
 * A deflate stream (RFC 1951) is a sequence of blocks.  Each block here is
 * dynamic-Huffman coded (section 3.2.7) from its own byte frequencies, and
 * the only matches it uses are at distance 1: a byte repeated three or more
 * times after itself becomes the byte, then "copy <length> from 1 back".
 * That is zlib's Z_RLE strategy, which OpenCV's imwrite uses for PNG.  It
 * needs no hash table and no search, so it codes more than a byte per
 * nanosecond on one core; on pictures where LZ77 finds little to match (the
 * gradient magnitude of a photo is mostly fine detail) its files are within
 * a few percent of libdeflate's level 1.  A block that would code larger
 * than it is is stored instead.
 *
 * Each block takes two passes: find_runs counts the symbols and notes the
 * runs, then, once the codes are made, put_literals and put_run write
 * them.  Almost all the time is in those two loops (making a block's codes
 * costs a few percent), so they are written for the processor: no branch
 * per byte, a table per place for the counts, literals four to a flush
 * of the 64-bit accumulator.  Any change must keep every byte of the
 * output (test_deflate.c pins the CRC-32s of the PNGs).
 *
 * Bits go out least significant first (RFC 1951, 3.1.1), Huffman codes
 * with their first bit first, so each code is kept bit-reversed. */
#include "io.h"

#include <string.h>

#define MAX_BITS 15      /* longest code deflate allows */
#define LIT_BITS 14      /* longest literal/length code made here (see put_four) */
#define MAX_CL_BITS 7    /* longest code-length code */
#define NUM_LITLEN 286   /* literals 0..255, end of block 256, lengths 257..285 */
#define NUM_CL 19        /* code-length alphabet: lengths 0..15, repeats 16..18 */
#define END_OF_BLOCK 256
#define MIN_RUN 3
#define MAX_RUN 258
#define STORED_MAX 65535 /* bytes in one stored block */

/* Length codes 257..285: the first length of each and its extra bits. */
static const uint16_t len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258
};
static const uint8_t len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0
};
/* The order in which the code-length code's lengths are sent. */
static const uint8_t cl_order[NUM_CL] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

/* A run: data[pos, pos + len) all equal data[pos - 1]. */
typedef struct run {
    uint32_t pos, len;
} run;

/* How one block will be coded, and what that costs. */
typedef struct plan {
    uint16_t code[NUM_LITLEN];    /* reversed */
    uint8_t len[NUM_LITLEN + 2];  /* code lengths, the 2 distance codes' at hlit */
    int hlit;                     /* literal/length codes sent, 257..286 */
    uint8_t cl_len[NUM_CL];
    uint16_t cl_code[NUM_CL];     /* reversed */
    int hclen;                    /* code-length lengths sent, 4..19 */
    uint8_t rle[NUM_LITLEN + 2];  /* the lengths as code-length symbols */
    uint8_t rle_extra[NUM_LITLEN + 2];
    int rle_n;
    uint64_t bits;                /* the whole block, header included */
} plan;

/* ---- bits */

static inline void store_le64(unsigned char *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    int k;
    for (k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
#endif
}

/* Moves the whole bytes of the accumulator to out; at most 7 bits stay. */
static inline void flush(imgrad__bits *b)
{
    store_le64(b->out + b->pos, b->acc);
    b->pos += (size_t)(b->count >> 3);
    b->acc >>= b->count & ~7;
    b->count &= 7;
}

void imgrad__bits_put(imgrad__bits *b, uint32_t value, int n)
{
    b->acc |= (uint64_t)value << b->count;
    b->count += n;
    flush(b);
}

void imgrad__bits_align(imgrad__bits *b)
{
    b->count = (b->count + 7) & ~7;
    flush(b);
}

/* The n (1..16) low bits of code in reverse order: all 16 reversed by
 * swapping halves of ever smaller widths, then shifted down, instead of a
 * loop of n steps for each of a block's ~300 codes. */
static uint32_t reverse_bits(uint32_t code, int n)
{
    uint32_t r = code & 0xffff;

    r = (r & 0x5555) << 1 | (r >> 1 & 0x5555);
    r = (r & 0x3333) << 2 | (r >> 2 & 0x3333);
    r = (r & 0x0f0f) << 4 | (r >> 4 & 0x0f0f);
    r = (r & 0x00ff) << 8 | r >> 8;
    return r >> (16 - n);
}

/* ---- Huffman codes */

/* Sorts sym[0..m), given in ascending order, by freq[sym] ascending, ties
 * left in symbol order: a stable radix sort, a byte of the frequency at a
 * time, skipping a byte that all share.  qsort with a comparison function
 * took a few percent of the whole coder's time, most of it mispredicted
 * branches, for ~300 symbols a block. */
static void sort_by_freq(const uint32_t *freq, uint16_t *sym, int m)
{
    uint16_t tmp[NUM_LITLEN], *src = sym, *dst = tmp, *swap;
    int shift, k;

    for (shift = 0; shift < 32; shift += 8) {
        int count[256] = { 0 }, start = 0, next;
        for (k = 0; k < m; k++)
            count[freq[src[k]] >> shift & 0xff]++;
        if (count[freq[src[0]] >> shift & 0xff] == m)
            continue;
        for (k = 0; k < 256; k++) {
            next = start + count[k];
            count[k] = start;
            start = next;
        }
        for (k = 0; k < m; k++)
            dst[count[freq[src[k]] >> shift & 0xff]++] = src[k];
        swap = src;
        src = dst;
        dst = swap;
    }
    if (src != sym)
        memcpy(sym, src, (size_t)m * sizeof *sym);
}

/* Depth of each of the m leaves (weights ascending in w[0..m)) in a Huffman
 * tree, counted per depth into count[1..limit]: deeper leaves are counted at
 * limit, to be fixed by limit_lengths.  Two queues: the leaves in order, and
 * the merged nodes, which are made in ascending order of weight. */
static void tree_depths(uint64_t *w, int m, int limit, int *count)
{
    uint16_t parent[2 * NUM_LITLEN], depth[2 * NUM_LITLEN];
    int leaf = 0, node = m, next, k;

    for (next = m; next < 2 * m - 1; next++) {
        int pick[2], j;
        for (j = 0; j < 2; j++)
            pick[j] = leaf < m && (node >= next || w[leaf] <= w[node]) ? leaf++ : node++;
        w[next] = w[pick[0]] + w[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)next;
    }
    depth[2 * m - 2] = 0;
    for (k = 2 * m - 3; k >= 0; k--) /* a parent comes after its children */
        depth[k] = (uint16_t)(depth[parent[k]] + 1);
    for (k = 0; k < m; k++)
        count[depth[k] < limit ? depth[k] : limit]++;
}

/* Makes count[] (leaves per depth, some moved up to limit) a complete code
 * again: while the code is over-full, a leaf at the limit moves under a
 * leaf at the deepest level d < limit, which becomes a node with both as
 * children at d + 1.  Each step lowers the Kraft sum by 2^-limit. */
static void limit_lengths(int *count, int limit)
{
    uint32_t total = 0;
    int d;

    for (d = 1; d <= limit; d++)
        total += (uint32_t)count[d] << (limit - d);
    for (; total > (1u << limit); total--) {
        count[limit]--;
        for (d = limit - 1; d > 0 && count[d] == 0; d--)
            ;
        count[d]--;
        count[d + 1] += 2;
    }
}

/* Code lengths (at most limit) for n symbols' frequencies into len[];
 * unused symbols get 0.  A lone used symbol gets length 1 and so does one
 * more, so that every code is complete (some decoders insist). */
static void code_lengths(const uint32_t *freq, int n, int limit, uint8_t *len)
{
    uint64_t w[2 * NUM_LITLEN];
    uint16_t sym[NUM_LITLEN];
    int count[MAX_BITS + 1] = { 0 }, m = 0, k, d;

    memset(len, 0, (size_t)n);
    for (k = 0; k < n; k++)
        if (freq[k] > 0)
            sym[m++] = (uint16_t)k;
    if (m <= 1) {
        k = m == 1 ? sym[0] : 0;
        len[k] = 1;
        len[k == 0 ? 1 : 0] = 1;
        return;
    }
    sort_by_freq(freq, sym, m); /* by frequency, then symbol */
    for (k = 0; k < m; k++)
        w[k] = freq[sym[k]];
    tree_depths(w, m, limit, count);
    limit_lengths(count, limit);
    /* the most frequent symbols get the shortest codes */
    for (d = 1, k = m - 1; d <= limit; d++)
        for (; count[d] > 0; count[d]--)
            len[sym[k--]] = (uint8_t)d;
}

/* Canonical codes for the lengths (RFC 1951, 3.2.2), reversed. */
static void canonical_codes(const uint8_t *len, int n, uint16_t *code)
{
    uint16_t count[MAX_BITS + 1] = { 0 }, next[MAX_BITS + 1];
    uint32_t c = 0;
    int k;

    for (k = 0; k < n; k++)
        count[len[k]]++;
    count[0] = 0;
    for (k = 1; k <= MAX_BITS; k++) {
        c = (c + count[k - 1]) << 1;
        next[k] = (uint16_t)c;
    }
    for (k = 0; k < n; k++)
        code[k] = len[k] ? (uint16_t)reverse_bits(next[len[k]]++, len[k]) : 0;
}

/* ---- one block */

/* Index 0..28 of the length code for a run of len (3..258) bytes.  From
 * 11 on, the codes come four to each number e of extra bits, and len - 3
 * is 2^(e + 2) or more, so e is read from its highest bit (the table from
 * the top took up to 28 steps, for the short runs that are most common). */
static int length_index(uint32_t len)
{
    int e = 0;

    if (len < 11)
        return (int)len - 3;
    if (len == MAX_RUN)
        return 28;
#if defined(__GNUC__)
    e = 31 - __builtin_clz(len - 3) - 2;
#else
    while ((len - 3) >> (e + 3) != 0)
        e++;
#endif
    return 4 * e + 4 + (int)(((len - 3) >> e) & 3);
}

/* first_run(p) says where the first run among p + 1 .. p + SCAN starts
 * (0 .. SCAN - 1), or SCAN if none does: a run at p + 1 + k needs p[k] ==
 * p[k + 1] == p[k + 2] == p[k + 3].  It reads p[0 .. SCAN + 2].  Most of a
 * photo's bytes are in no run, so this check is most of find_runs' work
 * beside the counting: with SSE2 (every x86-64) it looks at 16 places in a
 * few instructions, elsewhere at 8 in a 64-bit word. */
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define SCAN 16

static inline int first_run(const unsigned char *p)
{
    const __m128i a = _mm_loadu_si128((const __m128i *)p);
    const __m128i b = _mm_loadu_si128((const __m128i *)(p + 1));
    const __m128i c = _mm_loadu_si128((const __m128i *)(p + 2));
    const __m128i d = _mm_loadu_si128((const __m128i *)(p + 3));
    const __m128i same = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(a, b), _mm_cmpeq_epi8(b, c)),
                                       _mm_cmpeq_epi8(c, d));
    const unsigned flags = (unsigned)_mm_movemask_epi8(same);

    return flags == 0 ? SCAN : __builtin_ctz(flags);
}
#else
#define SCAN 8

/* A zero byte in v marks a run; the lowest flag of the has-zero-byte trick
 * is exact (higher ones may be false). */
static inline int first_run(const unsigned char *p)
{
    uint64_t a, b, c, d, v, flags;

    memcpy(&a, p, 8);
    memcpy(&b, p + 1, 8);
    memcpy(&c, p + 2, 8);
    memcpy(&d, p + 3, 8);
    v = (a ^ b) | (b ^ c) | (c ^ d);
    flags = (v - 0x0101010101010101u) & ~v & 0x8080808080808080u;
    if (flags == 0)
        return SCAN;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_ctzll(flags) >> 3;
#else
    int k;
    for (k = 0; p[k] != p[k + 1] || p[k] != p[k + 2] || p[k] != p[k + 3]; k++)
        ;
    return k;
#endif
}
#endif

/* Counts the literals p[0..8) into eight tables, written out: the usual
 * case, with no loop to mispredict.  A table per place, because a value
 * repeated nearby would otherwise wait on its own increment (filtered
 * rows repeat a few small values); eight measured about 3% faster than
 * four. */
static inline void count8(uint32_t lit[8][256], const unsigned char *p)
{
    lit[0][p[0]]++;
    lit[1][p[1]]++;
    lit[2][p[2]]++;
    lit[3][p[3]]++;
    lit[4][p[4]]++;
    lit[5][p[5]]++;
    lit[6][p[6]]++;
    lit[7][p[7]]++;
}

/* The length of the run at p + i, which repeats p[i - 1] and is known to
 * be at least MIN_RUN long: up to MAX_RUN, and not past n.  Eight bytes
 * at a time against the repeated byte, for the long runs of flat areas. */
static uint32_t run_length(const unsigned char *p, size_t i, size_t n)
{
    const size_t limit = n - i < MAX_RUN ? n - i : MAX_RUN;
    size_t len = MIN_RUN;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t same = p[i - 1] * (uint64_t)0x0101010101010101u;
    uint64_t w;

    for (; len + 8 <= limit; len += 8) {
        memcpy(&w, p + i + len, 8);
        if ((w ^= same) != 0)
            return (uint32_t)(len + (size_t)(__builtin_ctzll(w) >> 3));
    }
#endif
    while (len < limit && p[i + len] == p[i - 1])
        len++;
    return (uint32_t)len;
}

/* Finds the runs of p[0..n) into runs[] and counts the symbols of the
 * block (literals, run lengths, end of block) into freq.  Returns the
 * number of runs.  The first byte is always a literal. */
static size_t find_runs(const unsigned char *p, size_t n, run *runs, uint32_t *freq)
{
    uint32_t lit[8][256];
    size_t i = 1, r = 0;
    uint32_t len;
    int k, at;

    memset(lit, 0, sizeof lit);
    lit[0][p[0]]++;
    while (i < n) {
        if (i + SCAN + 2 <= n) {
            at = first_run(p + i - 1);
            if (at == SCAN) {
                count8(lit, p + i);
                if (SCAN > 8)
                    count8(lit, p + i + 8);
                i += SCAN;
                continue;
            }
            for (k = 0; k < at; k++)
                lit[k & 7][p[i + k]]++;
            i += (size_t)at;
        } else if (i + 3 > n || p[i] != p[i - 1] || p[i + 1] != p[i - 1]
                   || p[i + 2] != p[i - 1]) {
            lit[0][p[i++]]++;
            continue;
        }
        len = run_length(p, i, n);
        runs[r].pos = (uint32_t)i;
        runs[r++].len = len;
        freq[257 + length_index(len)]++;
        i += len;
    }
    for (k = 0; k < 256; k++)
        freq[k] += lit[0][k] + lit[1][k] + lit[2][k] + lit[3][k] + lit[4][k] + lit[5][k]
                   + lit[6][k] + lit[7][k];
    freq[END_OF_BLOCK]++;
    return r;
}

/* The code lengths of lit[0..hlit) and the two distance codes as
 * code-length symbols: 16 repeats the previous length 3..6 times, 17 and
 * 18 write 3..10 and 11..138 zeros (RFC 1951, 3.2.7). */
static void rle_lengths(plan *pl)
{
    const int total = pl->hlit + 2;
    int i = 0, run, r;

    pl->rle_n = 0;
#define EMIT(s, x) (pl->rle[pl->rle_n] = (uint8_t)(s), pl->rle_extra[pl->rle_n++] = (uint8_t)(x))
    while (i < total) {
        const uint8_t v = pl->len[i];
        for (run = 1; i + run < total && pl->len[i + run] == v; run++)
            ;
        r = run;
        if (v == 0) {
            for (; r >= 11; r -= r < 138 ? r : 138)
                EMIT(18, (r < 138 ? r : 138) - 11);
            if (r >= 3) {
                EMIT(17, r - 3);
                r = 0;
            }
        } else {
            EMIT(v, 0);
            for (r--; r >= 3; r -= r < 6 ? r : 6)
                EMIT(16, (r < 6 ? r : 6) - 3);
        }
        for (; r > 0; r--)
            EMIT(v, 0);
        i += run;
    }
#undef EMIT
}

/* Plans the block: codes from freq, the header's symbols, and the size. */
static void plan_block(const uint32_t *freq, size_t nruns, plan *pl)
{
    static const uint8_t rle_extra_bits[3] = { 2, 3, 7 };
    uint32_t cl_freq[NUM_CL] = { 0 };
    int k;

    code_lengths(freq, NUM_LITLEN, LIT_BITS, pl->len);
    canonical_codes(pl->len, NUM_LITLEN, pl->code);
    pl->bits = 3 + 5 + 5 + 4 + nruns; /* block header's fields; a distance bit a run */
    for (k = 0; k < NUM_LITLEN; k++) {
        pl->bits += (uint64_t)freq[k] * (pl->len[k] + (k > 256 ? len_extra[k - 257] : 0));
    }
    for (pl->hlit = NUM_LITLEN; pl->len[pl->hlit - 1] == 0; pl->hlit--)
        ;
    /* distance codes 0 (distance 1) and 1 (unused), one bit each: complete */
    pl->len[pl->hlit] = pl->len[pl->hlit + 1] = 1;
    rle_lengths(pl);
    for (k = 0; k < pl->rle_n; k++)
        cl_freq[pl->rle[k]]++;
    code_lengths(cl_freq, NUM_CL, MAX_CL_BITS, pl->cl_len);
    canonical_codes(pl->cl_len, NUM_CL, pl->cl_code);
    for (pl->hclen = NUM_CL; pl->hclen > 4 && pl->cl_len[cl_order[pl->hclen - 1]] == 0;
         pl->hclen--)
        ;
    pl->bits += 3 * (uint64_t)pl->hclen;
    for (k = 0; k < pl->rle_n; k++)
        pl->bits += pl->cl_len[pl->rle[k]]
                    + (pl->rle[k] >= 16 ? rle_extra_bits[pl->rle[k] - 16] : 0);
}

static void put_header(imgrad__bits *b, const plan *pl, int final)
{
    int k;

    imgrad__bits_put(b, (uint32_t)final | 2u << 1, 3); /* BFINAL, BTYPE 2: dynamic */
    imgrad__bits_put(b, (uint32_t)(pl->hlit - 257), 5);
    imgrad__bits_put(b, 1, 5); /* two distance codes */
    imgrad__bits_put(b, (uint32_t)(pl->hclen - 4), 4);
    for (k = 0; k < pl->hclen; k++)
        imgrad__bits_put(b, pl->cl_len[cl_order[k]], 3);
    for (k = 0; k < pl->rle_n; k++) {
        const int s = pl->rle[k];
        imgrad__bits_put(b, pl->cl_code[s], pl->cl_len[s]);
        if (s >= 16)
            imgrad__bits_put(b, pl->rle_extra[k], s == 16 ? 2 : s == 17 ? 3 : 7);
    }
}

/* Codes q[0..4) into the writer w, one flush: four codes of at most
 * LIT_BITS (14) bits fit in the accumulator beside the 7 bits a flush may
 * leave.  The four are joined in pairs, then into one group, before the
 * group goes in at the bit count: the joins do not wait on the count, so
 * the chain from one group to the next is one shift and add, not four.
 * Codes and lengths are two tables, not one word to split. */
static inline void put_four(imgrad__bits *w, const uint16_t *code, const uint8_t *len,
                            const unsigned char *q)
{
    const unsigned n0 = len[q[0]], n01 = n0 + len[q[1]];
    const unsigned n2 = len[q[2]], n23 = n2 + len[q[3]];
    const uint64_t c01 = code[q[0]] | (uint64_t)code[q[1]] << n0;
    const uint64_t c23 = code[q[2]] | (uint64_t)code[q[3]] << n2;
    const unsigned count = (unsigned)w->count + n01 + n23;

    w->acc |= (c01 | c23 << n01) << w->count;
    store_le64(w->out + w->pos, w->acc);
    w->pos += count >> 3;
    w->acc >>= count & ~7u;
    w->count = (int)(count & 7);
}

/* Codes the literals p[i..end), eight to a turn of the loop.  The writer
 * is a local copy: a store through out could change *b as far as the
 * compiler knows, and it would reload b's fields after every store. */
static void put_literals(imgrad__bits *b, const uint16_t *code, const uint8_t *len,
                         const unsigned char *p, size_t i, size_t end)
{
    imgrad__bits w = *b;
    const unsigned char *q = p + i, *last = p + end;

    for (; last - q >= 8; q += 8) {
        put_four(&w, code, len, q);
        put_four(&w, code, len, q + 4);
    }
    if (last - q >= 4) {
        put_four(&w, code, len, q);
        q += 4;
    }
    for (; q < last; q++)
        imgrad__bits_put(&w, code[*q], len[*q]);
    *b = w;
}

/* The run's length code, its extra bits, and distance code 0 (one bit, 0),
 * as one put of at most 14 + 5 + 1 bits. */
static void put_run(imgrad__bits *b, const plan *pl, uint32_t len)
{
    const int k = length_index(len), n = pl->len[257 + k];

    imgrad__bits_put(b, pl->code[257 + k] | (len - len_base[k]) << n, n + len_extra[k] + 1);
}

static void put_stored(imgrad__bits *b, const unsigned char *p, size_t n, int final)
{
    size_t done = 0, part;

    do {
        part = n - done < STORED_MAX ? n - done : STORED_MAX;
        imgrad__bits_put(b, final && done + part == n ? 1 : 0, 3); /* BTYPE 0 */
        imgrad__bits_align(b);
        imgrad__bits_put(b, (uint32_t)part, 16);
        imgrad__bits_put(b, (uint32_t)part ^ 0xffff, 16);
        memcpy(b->out + b->pos, p + done, part);
        b->pos += part;
        done += part;
    } while (done < n);
}

size_t imgrad__rle_block_bound(size_t n)
{
    /* a literal takes at most 15 bits, a run of >= 3 bytes at most 21; a
     * block is coded only when it is smaller than stored, and stored
     * blocks add 5 bytes per 65535; the header, the bits pending and
     * flush's 8-byte stores stay within 1024 */
    return n + 5 * (n / STORED_MAX + 1) + 1024;
}

size_t imgrad__rle_scratch_bytes(size_t n)
{
    return (n / MIN_RUN + 1) * sizeof(run);
}

void imgrad__rle_block(imgrad__bits *b, const unsigned char *p, size_t n, int final,
                       void *scratch)
{
    uint32_t freq[NUM_LITLEN] = { 0 };
    run *runs = scratch;
    size_t nruns, r, i = 0;
    plan pl;

    if (n == 0) { /* an empty stored block */
        put_stored(b, p, 0, final);
        return;
    }
    nruns = find_runs(p, n, runs, freq);
    plan_block(freq, nruns, &pl);
    /* stored: per 65535 bytes 3 header bits, up to 7 to align, LEN, NLEN */
    if (pl.bits >= 8 * (uint64_t)n + 42 * (n / STORED_MAX + 1)) {
        put_stored(b, p, n, final);
        return;
    }
    put_header(b, &pl, final);
    for (r = 0; r < nruns; r++) {
        put_literals(b, pl.code, pl.len, p, i, runs[r].pos);
        put_run(b, &pl, runs[r].len);
        i = runs[r].pos + runs[r].len;
    }
    put_literals(b, pl.code, pl.len, p, i, n);
    imgrad__bits_put(b, pl.code[END_OF_BLOCK], pl.len[END_OF_BLOCK]);
}
