// Imported rather than read at run time: the bundle (dist/cli.mjs, the image) carries it.
import cliPackage from "../package.json" with { type: "json" };

/** `riskq --version`: the CLI's own version, from its package.json. */
export const CLI_VERSION: string = cliPackage.version;
