#pragma once
// Decoding JPEG (libjpeg-turbo) and PNG (libpng), encoding PNG, from and to memory. Both libraries
// report errors by longjmp; every setjmp that catches one lives in these C functions, so no jump ever
// crosses a Swift frame. Each call returns 0, or -1 with a message in `error`.
#include <stddef.h>
#include <stdint.h>

enum loupe_color {
    LOUPE_GRAY = 1,        // 1 byte a pixel
    LOUPE_GRAY_ALPHA = 2,  // 2 bytes
    LOUPE_RGB = 3,         // 3 bytes
    LOUPE_RGBA = 4,        // 4 bytes
    LOUPE_CMYK = 5,        // 4 bytes, Pillow's convention (ink amounts, 255 = full ink)
    LOUPE_GRAY16 = 6,      // 2 bytes, native-endian 16-bit grey (Pillow's mode I;16)
};

typedef struct {
    int width;
    int height;
    int color;             // enum loupe_color of the decoded pixels
    int channels;          // bytes a pixel in the decoded buffer
    int progressive;       // JPEG: progressive (or multi-scan) file; PNG: Adam7 interlaced
    int bit_depth;         // PNG: bits a sample in the file; JPEG: 8
    char error[256];
} loupe_image_info;

int loupe_jpeg_info(const uint8_t *data, size_t size, loupe_image_info *info);
int loupe_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info);

int loupe_png_info(const uint8_t *data, size_t size, loupe_image_info *info);
int loupe_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info);

// Encodes 8-bit pixels (channels 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) as a PNG in a malloc'd buffer
// that the caller frees with loupe_free.
int loupe_png_encode(const uint8_t *pixels, int width, int height, int channels,
                     uint8_t **out, size_t *out_size, char *error, size_t error_size);
void loupe_free(void *p);
