#pragma once
// libpng's error callbacks for both directions: the message is kept and libpng longjmps back to the
// setjmp(png_jmpbuf(png)) of the C function that called it. Warnings are dropped, as Pillow drops them.
#include <stdio.h>
#include <png.h>

typedef struct {
    char message[200];
} loupe_png_error;

static void loupe_png_on_error(png_structp png, png_const_charp message) {
    loupe_png_error *err = (loupe_png_error *)png_get_error_ptr(png);
    snprintf(err->message, sizeof err->message, "%s", message);
    png_longjmp(png, 1);
}

static void loupe_png_on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }
