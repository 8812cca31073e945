// PNG encoding with libpng into a growing memory buffer (pictures embedded in reports and figures).
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "image_codecs.h"
#include "png_errors.h"

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
} loupe_png_sink;

static void write_bytes(png_structp png, png_bytep bytes, png_size_t count) {
    loupe_png_sink *sink = (loupe_png_sink *)png_get_io_ptr(png);
    if (count > sink->capacity - sink->size) {
        size_t capacity = sink->capacity ? sink->capacity : 65536;
        while (count > capacity - sink->size) capacity *= 2;
        uint8_t *grown = realloc(sink->data, capacity);
        if (!grown) png_error(png, "out of memory while encoding a PNG");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, count);
    sink->size += count;
}

static void flush_bytes(png_structp png) { (void)png; }

int loupe_png_encode(const uint8_t *pixels, int width, int height, int channels,
                     uint8_t **out, size_t *out_size, char *error, size_t error_size) {
    static const int types[] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    *out = NULL;
    *out_size = 0;
    if (channels < 1 || channels > 4 || width <= 0 || height <= 0) {
        snprintf(error, error_size, "cannot encode a %dx%d image with %d channels as PNG", width, height, channels);
        return -1;
    }
    loupe_png_sink sink = {NULL, 0, 0};
    loupe_png_error err = {{0}};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, loupe_png_on_error, loupe_png_on_warning);
    if (!png) { snprintf(error, error_size, "libpng could not start"); return -1; }
    png_infop pinfo = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!pinfo || setjmp(png_jmpbuf(png))) {
        snprintf(error, error_size, "%s", err.message[0] ? err.message : "libpng could not start");
        png_free(png, rows);
        png_destroy_write_struct(&png, pinfo ? &pinfo : NULL);
        free(sink.data);
        return -1;
    }
    png_set_write_fn(png, &sink, write_bytes, flush_bytes);
    png_set_IHDR(png, pinfo, (png_uint_32)width, (png_uint_32)height, 8, types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pinfo);
    rows = (png_bytep *)png_malloc(png, sizeof(png_bytep) * (size_t)height);
    size_t stride = (size_t)width * (size_t)channels;
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + stride * (size_t)y);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_free(png, rows);
    png_destroy_write_struct(&png, &pinfo);
    *out = sink.data;
    *out_size = sink.size;
    return 0;
}

void loupe_free(void *p) { free(p); }
