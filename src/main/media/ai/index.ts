/** AI checks on clips: contact sheets, the Gemini score for the quality gate, and what they cost. */
export { contactSheetGeometry, contactSheetJob, makeContactSheet, pngSize, readPngImage, type ContactSheet, type ContactSheetGeometry, type ContactSheetLayout } from './contact-sheet';
export { callGeminiJson, maxCostOfCall, DEFAULT_AI_TIMEOUT_MS, type AiFailure, type AiPart, type Billing, type GeminiConnection, type JsonCallResult } from './gemini-json';
export { costMicrosForUsage, DEFAULT_AI_MODEL, GEMINI_TOKEN_PRICES, tokenPriceFor, type GeminiUsage, type TokenPrice } from './prices';
export { AI_SCORE_MAX_OUTPUT_TOKENS, AI_SCORE_THRESHOLDS, aiScoreThreshold, estimateAiScoreMaxCostMicros, scoreClip, scoreContactSheet, type AiScoreResult, type AiScores, type AiScoreThresholds, type ScoreClipInput, type ScoreSheetInput } from './score';
export { makeAiScorer, type AiCallCost, type AiScoreRequest, type AiScorerOptions } from './scorer';
export { imageTokens, maxCallCostMicros } from './tokens';
