/**
 * The type-tree custom editor opened through vscode.openWith, once the extension contributes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './common';

describe('type tree (custom editor)', () => {
  it('is contributed', function () {
    const editors = (vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.contributes?.customEditors ?? []) as { viewType: string }[];
    if (!editors.length) {
      console.log('      skipped: the extension contributes no custom editor yet');
      this.skip();
    }
    assert.ok(editors[0]!.viewType);
  });
});
