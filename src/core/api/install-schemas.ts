/**
 * The install API's body and answer (POST /v1/install: virtkit install), as strict valibot
 * schemas; schemas.ts re-exports them and adds them to its named components. The body is the
 * parsed command line (InstallArgs, src/core/install/types.ts); the answer is the plan the daemon
 * built from it and, unless it was a dry run, what carrying it out made.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const installSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  installSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const bytes = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const SubOption = v.strictObject({ key: v.string(), value: v.nullable(v.string()) });
const FlagUse = v.strictObject({ raw: v.string(), opts: v.array(SubOption) });

export const InstallBody = named('InstallRequest', 'A virtkit install command line, parsed (parseInstallArgv)', v.strictObject({
  args: described(v.record(v.string(), v.array(FlagUse)), 'Flag name (no dashes, aliases resolved) -> its uses in command-line order'),
  dryRun: v.optional(described(v.boolean(), 'Build the plan and make nothing (also --dry-run in args)')),
  printXml: v.optional(described(v.boolean(), 'Build the plan for its XML and make nothing (also --print-xml in args)')),
  cwd: v.optional(described(v.pipe(v.string(), v.startsWith('/')), "The client's working directory: relative file paths in args (--cloud-init user-data=FILE...) are read from there")),
}));

const PlannedVolume = v.strictObject({
  pool: v.string(), name: v.string(), path: v.string(), format: v.picklist(['qcow2', 'raw']), capacity: bytes,
  backing: v.nullable(v.strictObject({ path: v.string(), format: v.string() })),
  cloneFrom: v.nullable(v.string()), sparse: v.boolean(),
});

const PlannedCloudInit = v.strictObject({
  path: v.string(), userData: v.string(), metaData: v.string(), networkConfig: v.nullable(v.string()),
  generatedRootPassword: described(v.nullable(v.string()), 'Shown once to the user; never logged'),
});

export const InstallPlan = named('InstallPlan', 'What an install makes: volumes, seed, copies, and the domain XML of each phase', v.strictObject({
  name: v.string(),
  phases: described(v.array(v.string()), 'Domain XML per phase: the install phase, then the final definition (one for an install without an install phase)'),
  volumes: v.array(PlannedVolume),
  cloudInit: v.nullable(PlannedCloudInit),
  copies: v.array(v.strictObject({ from: v.string(), to: v.string(), isoPath: v.nullable(v.string()) })),
  autostart: v.boolean(),
  transient: v.boolean(),
  autoconsole: v.picklist(['text', 'graphical', 'none']),
  waitMinutes: described(v.nullable(v.number()), '--wait in minutes; -1 waits forever; null without --wait'),
  noreboot: v.boolean(),
  start: v.boolean(),
  warnings: v.array(v.string()),
}));

export const OsinfoList = named('OsinfoList', "The host's OS database (Debian's osinfo-db) in virt-install's order, with virt-install's generic entry", v.strictObject({
  oses: v.array(v.strictObject({
    id: described(v.string(), "libosinfo's id URI (http://debian.org/debian/11); generic for the generic OS"),
    shortIds: described(v.array(v.string()), 'The short-ids in the database\'s order; the first is the name virt-install uses'),
    name: v.string(),
    version: v.nullable(v.string()),
    family: v.string(),
  })),
}));

export const InstallResult = named('InstallResult', 'The plan and, unless it was a dry run, what the install made', v.strictObject({
  plan: InstallPlan,
  made: v.nullable(v.strictObject({
    domain: v.string(),
    uuid: v.pipe(v.string(), v.uuid()),
    running: described(v.nullable(v.picklist(['install', 'final'])), 'What runs now: the install-phase XML (the daemon starts the final definition when it powers off), the final definition, or nothing'),
    volumes: v.array(v.strictObject({ pool: v.string(), name: v.string(), path: v.string() })),
    files: described(v.array(v.string()), 'Temporary files in the boot dir, removed when the install phase ends'),
  })),
}));
