import LoupeRuntime
print("loupe")
