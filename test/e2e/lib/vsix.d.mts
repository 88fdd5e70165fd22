export declare const MAX_VSIX_BYTES: number;
export declare const TESTED_VSCODE: string;
export interface ZipEntry { name: string; size: number; compressed: number }
export declare function zipEntries(file: string): ZipEntry[];
export declare function vsixProblems(file: string, typesVscodeVersion?: string): { problems: string[]; entries: ZipEntry[]; size: number };
