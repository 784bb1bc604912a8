/**
 * CDK entry point (cdk.json: `npx tsx infra/bin/app.ts`).
 *   npx cdk synth                                   dev, environment-agnostic
 *   npx cdk deploy --context stage=prod              prod (retain data, deletion protection)
 *   npx cdk synth --context region=cn-north-1        China (aws-cn partition)
 *   npx cdk synth --context nag=true                 run cdk-nag AwsSolutions checks
 */
import { buildApp } from '../lib/app';

const { app } = buildApp();
app.synth();
