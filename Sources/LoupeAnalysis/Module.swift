// LoupeAnalysis
