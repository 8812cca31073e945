// LoupeModels
