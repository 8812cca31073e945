// LoupeTokenizers
