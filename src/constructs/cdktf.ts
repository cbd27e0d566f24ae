// The one module that imports cdktf and its providers. cdktf is archived upstream: moving to a fork (or to
// another construct library) changes this file alone. Nothing else in certform may import "cdktf" or
// "@cdktf/*"; test/typescript-constructs.test.ts checks that.
export { App as CdktfApp, LocalBackend, TerraformBackend, TerraformProvider, TerraformStack } from "cdktf";
export type { AppConfig } from "cdktf";
// @cdktf/provider-null has no exports map: its deep paths are the public ones.
export { NullProvider } from "@cdktf/provider-null/lib/provider/index.js";
export { Resource as NullResource } from "@cdktf/provider-null/lib/resource/index.js";
