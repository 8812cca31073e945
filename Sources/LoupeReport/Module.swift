// LoupeReport
