// LoupeRuntime
