// Types of scripts/build.mjs for the TypeScript that imports it (the CLI, benchmarks, tests).
export declare const repoRoot: string;
export declare const DIST_CONDITION: string;
export declare const DIST_NODE_FLAGS: readonly string[];
export declare function distPath(srcFile: string): string;
export declare function packageDirs(root?: string): string[];
export declare function packageInputs(pkgDir: string): { sources: string[]; assets: string[] };
export declare function stalePackages(root?: string): { dir: string; hash: string }[];
export interface BuildOptions {
  root?: string;
  force?: boolean;
  log?: (line: string) => void;
}
export declare function build(opts?: BuildOptions): Promise<string[]>;
export declare function ensureBuilt(opts?: BuildOptions): Promise<string[]>;
