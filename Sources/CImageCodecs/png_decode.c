// PNG decoding with libpng, to the pixels Pillow's PngImagePlugin gives: palettes expanded, grey
// depths below 8 scaled up to 0…255, 16-bit samples cut to their high byte (Pillow's "RGB;16B"),
// except 16-bit grey alone, which stays 16-bit (Pillow's mode I;16). A tRNS transparency entry
// becomes an alpha channel. Interlaced (Adam7) files are assembled by libpng.
// libpng reports errors through loupe_png_on_error (png_errors.h), which longjmps to the setjmp in run().
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <png.h>
#include "image_codecs.h"
#include "png_errors.h"

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
} loupe_png_source;

static void read_bytes(png_structp png, png_bytep out, png_size_t count) {
    loupe_png_source *src = (loupe_png_source *)png_get_io_ptr(png);
    if (count > src->size - src->offset) png_error(png, "image file is truncated (the PNG data ends early)");
    memcpy(out, src->data + src->offset, count);
    src->offset += count;
}

static int run(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info) {
    info->error[0] = 0;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(info->error, sizeof info->error, "not a PNG file (bad signature)");
        return -1;
    }
    loupe_png_source src = {data, size, 0};
    loupe_png_error err = {{0}};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, loupe_png_on_error, loupe_png_on_warning);
    if (!png) { snprintf(info->error, sizeof info->error, "libpng could not start"); return -1; }
    png_infop pinfo = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!pinfo || setjmp(png_jmpbuf(png))) {
        snprintf(info->error, sizeof info->error, "%s", err.message[0] ? err.message : "libpng could not start");
        png_free(png, rows);
        png_destroy_read_struct(&png, pinfo ? &pinfo : NULL, NULL);
        return -1;
    }
    // Sizes are checked by the caller before any pixel memory is allocated.
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_read_fn(png, &src, read_bytes);
    png_read_info(png, pinfo);
    int color_type = png_get_color_type(png, pinfo);
    int depth = png_get_bit_depth(png, pinfo);
    int has_trns = png_get_valid(png, pinfo, PNG_INFO_tRNS) ? 1 : 0;
    info->width = (int)png_get_image_width(png, pinfo);
    info->height = (int)png_get_image_height(png, pinfo);
    info->bit_depth = depth;
    info->progressive = png_get_interlace_type(png, pinfo) == PNG_INTERLACE_ADAM7 ? 1 : 0;

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns) png_set_tRNS_to_alpha(png);
    int gray16 = color_type == PNG_COLOR_TYPE_GRAY && depth == 16 && !has_trns;
    if (depth == 16) {
        if (gray16) png_set_swap(png); else png_set_strip_16(png);
    }
    int channels;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        channels = (has_trns || gray16) ? 2 : 1;
        info->color = gray16 ? LOUPE_GRAY16 : (has_trns ? LOUPE_GRAY_ALPHA : LOUPE_GRAY);
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; info->color = LOUPE_GRAY_ALPHA; break;
    case PNG_COLOR_TYPE_RGB: channels = has_trns ? 4 : 3; info->color = has_trns ? LOUPE_RGBA : LOUPE_RGB; break;
    case PNG_COLOR_TYPE_PALETTE: channels = has_trns ? 4 : 3; info->color = has_trns ? LOUPE_RGBA : LOUPE_RGB; break;
    default: channels = 4; info->color = LOUPE_RGBA; break;
    }
    info->channels = channels;
    if (pixels == NULL) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return 0;
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);
    size_t stride = (size_t)info->width * (size_t)channels;
    if (png_get_rowbytes(png, pinfo) != stride || stride * (size_t)info->height > capacity) {
        snprintf(info->error, sizeof info->error, "decoder rows of %zu bytes do not match the header",
                 (size_t)png_get_rowbytes(png, pinfo));
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    rows = (png_bytep *)png_malloc(png, sizeof(png_bytep) * (size_t)info->height);
    for (int y = 0; y < info->height; y++) rows[y] = pixels + stride * (size_t)y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_free(png, rows);
    png_destroy_read_struct(&png, &pinfo, NULL);
    return 0;
}

int loupe_png_info(const uint8_t *data, size_t size, loupe_image_info *info) {
    return run(data, size, NULL, 0, info);
}

int loupe_png_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info) {
    return run(data, size, pixels, capacity, info);
}
