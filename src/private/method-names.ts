/**
 * How a message names a method or prop of this library: the TypeScript name, which Java, C# and Go users also
 * recognize (C# and Go capitalize it), then the Python name, as in 'addArtifactLocation / add_artifact_location'.
 * A static method keeps its class on the TypeScript side only:
 * 'ImageBuilderInstanceProfile.fromInstanceProfileAttributes / from_instance_profile_attributes'.
 */
export function inEveryLanguage(name: string): string {
  return `${name} / ${pythonName(name.slice(name.lastIndexOf('.') + 1))}`;
}

/**
 * The Python name that jsii gives a camelCase member: 'addAwsManagedComponent' -> 'add_aws_managed_component',
 * a run of capitals being one word ('fromKeyARN' -> 'from_key_arn').
 */
export function pythonName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
