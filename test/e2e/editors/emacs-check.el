;;; emacs-check.el --- drives Emacs (batch) + eglot through client/emacs/btf-lens.el  -*- lexical-binding: t; -*-
;; test/e2e/emacs.test.ts runs it and checks what it writes to $BTF_LENS_EMACS_OUT (JSON): the hover eglot
;; renders on `pid' in BPF_CORE_READ(t, pid), and where eglot's xref backend takes go to definition.

(require 'package)
(package-initialize)
(require 'json)
(require 'btf-lens)

(defvar check-out nil)
(defun check-put (k v) (push (cons k v) check-out))

(defun check-wait (seconds pred)
  (let ((end (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun check-run ()
  (let* ((ws (getenv "BTF_LENS_WS"))
         (btf-lens-server-command (list (getenv "BTF_LENS_NODE") (getenv "BTF_LENS_LS"))))
    (setq btf-lens-settings (list :kernelBtf "none"))
    (btf-lens-setup)
    (find-file (expand-file-name "src/core.c" ws))
    (call-interactively #'eglot)
    (check-put 'ready (and (check-wait 60 (lambda () (equal (plist-get btf-lens-status :state) "ready"))) t))
    (goto-char (point-min))
    (search-forward "o->pid = BPF_CORE_READ(t, pid);")
    (search-backward "pid);")
    (forward-char 1)
    ;; Hover as eglot renders it (eldoc's documentation function uses the same formatting).
    (let* ((server (eglot-current-server))
           (h (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
      (check-put 'hover (eglot--hover-info (plist-get h :contents))))
    ;; Go to definition through eglot's xref backend: the first location, visited.
    (let* ((id (xref-backend-identifier-at-point 'eglot))
           (defs (xref-backend-definitions 'eglot id))
           (marker (xref-location-marker (xref-item-location (car defs)))))
      (check-put 'definitions (mapcar (lambda (d) (xref-item-summary d)) defs))
      (with-current-buffer (marker-buffer marker)
        (goto-char marker)
        (check-put 'definition
                   (list (cons 'name buffer-file-name)
                         (cons 'mode (symbol-name major-mode))
                         (cons 'readOnly (and buffer-read-only t))
                         (cons 'line (buffer-substring-no-properties (line-beginning-position) (line-end-position)))
                         (cons 'first (buffer-substring-no-properties (point-min) (save-excursion (goto-char (point-min)) (line-end-position 2))))))))))

(condition-case err
    (check-run)
  (error (check-put 'error (format "%S" err))))
(with-temp-file (getenv "BTF_LENS_EMACS_OUT")
  (let ((json-encoding-pretty-print nil))
    (insert (json-encode check-out))))
(kill-emacs 0)
