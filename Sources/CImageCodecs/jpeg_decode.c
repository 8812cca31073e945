// JPEG decoding with libjpeg-turbo, set up as Pillow's JpegDecode.c leaves it: the library's defaults
// (islow integer DCT, fancy upsampling), output in RGB, greyscale or CMYK. Errors come back through
// error_exit, which longjmps to the setjmp in the function that called into libjpeg. A file that ends
// early is an error, as in Pillow (libjpeg itself would only warn and fill the rest with grey).
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "image_codecs.h"

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int truncated;
    char message[JMSG_LENGTH_MAX];
} loupe_jpeg_error;

static void on_error(j_common_ptr cinfo) {
    loupe_jpeg_error *err = (loupe_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

// Warnings are dropped as Pillow drops them, except the end of data arriving before the image ends.
static void on_message(j_common_ptr cinfo, int level) {
    loupe_jpeg_error *err = (loupe_jpeg_error *)cinfo->err;
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = 1;
}

static void fill_info(struct jpeg_decompress_struct *cinfo, loupe_image_info *info) {
    info->width = (int)cinfo->image_width;
    info->height = (int)cinfo->image_height;
    info->bit_depth = cinfo->data_precision;
    info->progressive = jpeg_has_multiple_scans(cinfo) ? 1 : 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        info->color = LOUPE_GRAY; info->channels = 1; cinfo->out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK: case JCS_YCCK:
        info->color = LOUPE_CMYK; info->channels = 4; cinfo->out_color_space = JCS_CMYK; break;
    default:
        info->color = LOUPE_RGB; info->channels = 3; cinfo->out_color_space = JCS_RGB; break;
    }
}

// Reads the header (and, when pixels is non-NULL, the image) of a JPEG held in memory.
static int run(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info) {
    struct jpeg_decompress_struct cinfo;
    loupe_jpeg_error err;
    memset(&err, 0, sizeof err);
    info->error[0] = 0;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
    if (setjmp(err.jump)) {
        if (err.truncated)
            snprintf(info->error, sizeof info->error, "image file is truncated (then: %s)", err.message);
        else
            snprintf(info->error, sizeof info->error, "%s", err.message);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    fill_info(&cinfo, info);
    if (err.truncated) {
        snprintf(info->error, sizeof info->error, "the file ends inside the JPEG header");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (pixels == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if ((int)cinfo.output_width != info->width || (int)cinfo.output_height != info->height
        || cinfo.output_components != info->channels
        || stride * (size_t)cinfo.output_height > capacity) {
        snprintf(info->error, sizeof info->error, "decoder output %ux%u×%d does not match the header",
                 cinfo.output_width, cinfo.output_height, cinfo.output_components);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height && !err.truncated) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    if (!err.truncated) jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (err.truncated) {
        snprintf(info->error, sizeof info->error, "image file is truncated (premature end of JPEG data)");
        return -1;
    }
    // CMYK JPEGs are taken to follow Adobe's inverted convention, as Pillow does (raw mode "CMYK;I").
    if (info->color == LOUPE_CMYK) {
        size_t n = stride * (size_t)info->height;
        for (size_t i = 0; i < n; i++) pixels[i] = (uint8_t)(255 - pixels[i]);
    }
    return 0;
}

int loupe_jpeg_info(const uint8_t *data, size_t size, loupe_image_info *info) {
    return run(data, size, NULL, 0, info);
}

int loupe_jpeg_decode(const uint8_t *data, size_t size, uint8_t *pixels, size_t capacity, loupe_image_info *info) {
    return run(data, size, pixels, capacity, info);
}
