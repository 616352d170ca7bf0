/**
 * Configuration: the project's `.podsec.yaml` (parser, validator, nearest-file
 * resolution, precedence, JSON Schema, starter file) and the cluster's
 * PodSecurity admission configuration (parsing, defaults, exemptions,
 * validation, discovery). Pure: text in, results out; files are read only
 * through the injected readers.
 */
export * from './types';
export {
  closest,
  ENGINE_CODES,
  KEY_NAMES,
  KEYS,
  KNOWN_VERSIONS,
  podsecConfigSchema,
  SEVERITY_KEYS,
  SEVERITY_VALUES,
} from './keys';
export type { JsonSchema, KeySpec, ReadContext } from './keys';
export { CONFIG_FILE_NAMES, hasConfigErrors, parseProjectConfig } from './projectConfig';
export {
  CLI_OPTIONS,
  ConfigResolver,
  DEFAULT_SETTINGS,
  EDITOR_SETTINGS,
  effectiveSettings,
  isExcluded,
  matchesExclude,
  originPhrase,
} from './resolve';
export type {
  Chosen,
  ConfigReader,
  ConfigResolverOptions,
  EffectiveSettings,
  LayersInput,
  SettingOrigin,
  SettingsLayer,
} from './resolve';
export { starterConfig } from './starter';
export type { StarterOptions } from './starter';
export {
  ADMISSION_CONFIGURATION_VERSIONS,
  builtInAdmissionConfig,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  isAdmissionConfigValid,
  loadAdmissionConfig,
  parseAdmissionConfig,
  parseLevel,
  parseVersion,
  POD_SECURITY_GROUP,
  POD_SECURITY_PLUGIN,
  POD_SECURITY_VERSIONS,
} from './admission';
export type {
  AdmissionConfig,
  AdmissionReader,
  ConfigEntry,
  DefaultOrigin,
  ExemptionList,
  ModeDefault,
} from './admission';
export { admitNamespace, admitWorkload, defaultModes, policyToEvaluate } from './admissionPolicy';
export type {
  AdmissionRequest,
  Exemption,
  ExemptionKind,
  LabelError,
  ModePolicy,
  ModeVerdict,
  NamespaceAdmission,
  NamespacePolicy,
  PolicyOrigin,
  WorkloadAdmission,
  WorkloadInput,
} from './admissionPolicy';
export { chooseAdmissionConfig, findAdmissionConfigs } from './discover';
export type { AdmissionChoice, FoundAdmissionConfig } from './discover';
export { goQuote, readYaml } from './yamlRead';
