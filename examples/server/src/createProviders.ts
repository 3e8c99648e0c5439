import {
  createDemoModel,
  createOfflineImageProvider,
  createUnsplashImageProvider,
  createWebhookImageProvider,
  type ImageProvider,
  type LanguageModel,
} from '@roadmap/core';
import { createOpenAIImageProvider, createOpenAIModel } from '@roadmap/openai';
import type { ImageProviderConfig, ModelConfig } from './config.js';

/** The OpenAI-compatible model when `OPENAI_API_KEY` is set, else the offline demo model. */
export function createModel(config: ModelConfig): LanguageModel {
  if (config.kind === 'openai') {
    return createOpenAIModel({ apiKey: config.apiKey, baseURL: config.baseURL, model: config.model });
  }
  return createDemoModel(config.latencyMs === undefined ? {} : { latencyMs: config.latencyMs });
}

/** The cover-image provider of `ROADMAP_IMAGE_PROVIDER`. */
export function createImageProvider(config: ImageProviderConfig): ImageProvider {
  switch (config.kind) {
    case 'openai':
      return createOpenAIImageProvider({ apiKey: config.apiKey, baseURL: config.baseURL, model: config.model });
    case 'unsplash':
      return createUnsplashImageProvider({ accessKey: config.accessKey });
    case 'webhook':
      return createWebhookImageProvider({ url: config.url });
    case 'offline':
      return createOfflineImageProvider();
  }
}

/** A short description for the start log. */
export function describeModel(config: ModelConfig): string {
  return config.kind === 'openai'
    ? `openai (${config.model ?? 'gpt-4o-mini'}${config.baseURL ? ` at ${config.baseURL}` : ''})`
    : `offline demo model (${config.latencyMs === undefined ? 'realistic pace' : `${config.latencyMs} ms per call`})`;
}
