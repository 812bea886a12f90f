/**
 * The panel kinds and their renderers: one pure HTML renderer and one plain-text renderer (for the
 * output channel) per result kind. Each result kind's renderer lives in its own file.
 */
import { renderValidate, validateText } from './validate-view';
import { renderOptimize, optimizeText } from './optimize-view';
import { renderCompile, compileText } from './compile-view';
import { renderSignatures, signaturesText } from './signatures-view';
import { diffText, renderDiff } from './diff-view';

export interface PanelRenderer<T> {
  title: string;
  html(result: T, fileUri: string): string;
  text(result: T): string;
}

export const panelRenderers = {
  validate: { title: 'Validate', html: renderValidate, text: validateText },
  optimize: { title: 'Optimize', html: renderOptimize, text: optimizeText },
  compile: { title: 'Compile', html: renderCompile, text: compileText },
  signatures: { title: 'Signatures', html: renderSignatures, text: signaturesText },
  diff: { title: 'Compare', html: renderDiff, text: diffText },
} satisfies Record<string, PanelRenderer<never>>;

export type PanelKind = keyof typeof panelRenderers;
