// LoupeFormats
