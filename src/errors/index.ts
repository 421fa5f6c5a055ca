// The error catalogue (every code, its status, fields and class) as data; a leaf module every layer may import.
export * from "./catalogue.ts";
