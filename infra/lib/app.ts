/**
 * Builds the CDK app. infra/bin/app.ts (what `cdk` runs) and test/infra both call this,
 * so the tests synthesise exactly what gets deployed.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ApiRoute } from '../../shared/api/routes';
import { readConfig, type DeploymentConfig } from './config';
import { YizhanStack } from './yizhan-stack';

export const STACK_ID = 'YizhanStack';

export interface BuiltApp {
  app: App;
  stack: YizhanStack;
  config: DeploymentConfig;
}

export function buildApp(props: AppProps & { routes?: ApiRoute[] } = {}): BuiltApp {
  const { routes, ...appProps } = props;
  const app = new App(appProps);
  const config = readConfig(app.node);
  const stack = new YizhanStack(app, STACK_ID, {
    // Same construct id for every stage (`cdk deploy YizhanStack`), one CloudFormation
    // stack per stage so dev and prod can share an account.
    stackName: `yizhan-${config.stage}`,
    description: `Yizhan one-stop travel platform (${config.stage})`,
    // No region: an environment-agnostic stack that synthesises without credentials.
    env: config.region ? { region: config.region } : undefined,
    config,
    routes,
    tags: { project: 'yizhan', stage: config.stage },
  });
  if (config.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
