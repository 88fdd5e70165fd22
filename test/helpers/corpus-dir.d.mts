export declare function corpusDir(root: string): string;
