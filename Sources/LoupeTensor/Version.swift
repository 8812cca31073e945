public enum LoupeVersion { public static let string = "0.1.0" }
