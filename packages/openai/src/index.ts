export type { FetchFunction } from './nodeHttpFetch.js';
export type { OpenAIClientOptions } from './openAIClient.js';
export type { OpenAIImageProviderOptions } from './openAIImageProvider.js';
export { createOpenAIImageProvider } from './openAIImageProvider.js';
export type { OpenAIModelOptions, StructuredOutputMode } from './openAIModel.js';
export { createOpenAIModel } from './openAIModel.js';
