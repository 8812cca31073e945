// LoupeScript
