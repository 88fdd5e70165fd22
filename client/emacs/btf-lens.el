;;; btf-lens.el --- BTF Lens through eglot: BTF, .BTF.ext and CO-RE of BPF objects  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools

;;; Commentary:

;; Runs the BTF Lens language server (`btf-lens-ls', over stdio) for C buffers through eglot, and reads its
;; read-only `btf-lens:///…' documents (a type as C, a function's disassembly) through the server's
;; `btf/document' request with a `file-name-handler-alist' entry, so go to definition and workspace symbols
;; land in real buffers (eglot shows no code lenses).
;;
;;   (add-to-list 'load-path "/path/to/btf-lens/client/emacs")
;;   (require 'btf-lens) (btf-lens-setup)
;;
;; then M-x eglot in a BPF C file.  eglot runs one server per buffer: in C buffers of a project it is
;; BTF Lens instead of clangd.  Settings (README "Settings"): `btf-lens-settings', or the usual
;; `eglot-workspace-configuration' section `:btfLens' (which wins).

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'jsonrpc)
(require 'subr-x)

(defgroup btf-lens nil
  "BTF Lens: BTF, .BTF.ext and CO-RE relocations of BPF objects."
  :group 'tools
  :prefix "btf-lens-")

(defcustom btf-lens-server-command '("btf-lens-ls")
  "The language server and its arguments (LSP on stdio).
E.g. (\"node\" \"/path/to/btf-lens/dist/server.js\" \"--stdio\")."
  :type '(repeat string))

(defcustom btf-lens-modes '(c-mode c++-mode)
  "Major modes whose buffers eglot serves with BTF Lens."
  :type '(repeat symbol))

(defcustom btf-lens-settings nil
  "The `btfLens.*' settings without the prefix, as a plist; arrays are vectors.
E.g. (:kernelBtf \"none\" :coreTargets [\"/boot/vmlinux-6.1.btf\"])."
  :type 'plist)

(defconst btf-lens--scheme-regexp "\\`btf-lens:"
  "File names that are BTF Lens documents (the server's URIs, kept whole).")

(defclass btf-lens-server (eglot-lsp-server) ()
  :documentation "The BTF Lens language server.")

(defvar btf-lens-status nil
  "The last `btf/status' the server sent.
\(:state \"indexing\"|\"ready\" :files N :indexed N :failed N)")

(cl-defmethod eglot-initialization-options ((_server btf-lens-server))
  (list :settings (or btf-lens-settings eglot--{})))

(cl-defmethod eglot-handle-notification ((_server btf-lens-server) (_method (eql btf/status)) &rest params)
  (setq btf-lens-status params))

(cl-defmethod eglot-handle-request ((_server btf-lens-server) (_method (eql workspace/configuration)) &key items)
  ;; eglot answers from `eglot-workspace-configuration'; without a `btfLens' section there, `btf-lens-settings'.
  (let ((answer (cl-call-next-method)))
    (cl-loop for item across items
             for i from 0
             when (and (equal (plist-get item :section) "btfLens") (null (aref answer i)))
             do (aset answer i (or btf-lens-settings eglot--{})))
    answer))

;; eglot before 1.10 turns every URI into a local path (`btf-lens:///a/b' → `/a/b') and every path into a
;; file:// URI; later releases leave other schemes to `file-name-handler-alist' (bug#58790).  Keep ours whole.
(defun btf-lens--keep-uri (orig uri)
  (if (and (stringp uri) (string-match-p btf-lens--scheme-regexp uri)) uri (funcall orig uri)))
(advice-add 'eglot--uri-to-path :around #'btf-lens--keep-uri)
(advice-add 'eglot--path-to-uri :around #'btf-lens--keep-uri)

(defun btf-lens--server ()
  "A live BTF Lens server: the current buffer's, else any."
  (let ((mine (ignore-errors (eglot-current-server))))
    (if (cl-typep mine 'btf-lens-server) mine
      (cl-loop for servers being the hash-values of eglot--servers-by-project
               thereis (cl-find-if (lambda (s) (and (cl-typep s 'btf-lens-server) (jsonrpc-running-p s))) servers)))))

(defun btf-lens--insert (name visit)
  "Insert the document NAME (a `btf-lens:' URI) as the server renders it."
  (let* ((server (or (btf-lens--server) (error "BTF Lens is not running: M-x eglot in a BPF C file first")))
         (doc (jsonrpc-request server :btf/document (list :uri name)))
         (text (plist-get doc :text)))
    (insert text)
    (when visit
      (setq buffer-file-name name)
      (setq buffer-read-only t)
      (set-buffer-modified-p nil)
      ;; Relative names and project lookups from this buffer go to the server's project.
      (setq default-directory (file-name-as-directory (project-root (eglot--project server)))))
    (list name (length text))))

(defun btf-lens--file-handler (operation &rest args)
  "Handle OPERATION with ARGS on a `btf-lens:' document.
They are read-only and read through the server."
  (pcase operation
    ((or 'expand-file-name 'file-truename 'substitute-in-file-name 'directory-file-name) (car args))
    ((or 'file-exists-p 'file-readable-p 'verify-visited-file-modtime) t)
    ('insert-file-contents (btf-lens--insert (nth 0 args) (nth 1 args)))
    ('unhandled-file-name-directory temporary-file-directory)
    ((or 'file-writable-p 'file-directory-p 'file-remote-p 'file-symlink-p 'file-executable-p
         'file-accessible-directory-p 'file-attributes 'file-modes 'file-local-copy 'file-newer-than-file-p
         'make-auto-save-file-name 'file-locked-p 'lock-file 'unlock-file 'vc-registered
         'set-visited-file-modtime 'write-region 'file-notify-add-watch)
     nil)
    (_ (let ((inhibit-file-name-handlers (cons #'btf-lens--file-handler
                                               (and (eq inhibit-file-name-operation operation)
                                                    inhibit-file-name-handlers)))
             (inhibit-file-name-operation operation))
         (apply operation args)))))

(define-derived-mode btf-lens-type-mode c-mode "BTF-C"
  "A BTF type as C (read-only `btf-lens:' document)."
  (setq buffer-read-only t))

(define-derived-mode btf-lens-asm-mode asm-mode "BPF-asm"
  "A BPF function's instructions as llvm-objdump prints them (read-only)."
  (setq buffer-read-only t))

;;;###autoload
(defun btf-lens-setup ()
  "Serve `btf-lens-modes' with BTF Lens through eglot.
Also read `btf-lens:' documents through it."
  (add-to-list 'file-name-handler-alist (cons btf-lens--scheme-regexp #'btf-lens--file-handler))
  (add-to-list 'auto-mode-alist '("\\`btf-lens:.*\\.btf\\.h\\'" . btf-lens-type-mode))
  (add-to-list 'auto-mode-alist '("\\`btf-lens:.*\\.bpf-asm\\'" . btf-lens-asm-mode))
  (add-to-list 'eglot-server-programs
               (cons (append btf-lens-modes '(btf-lens-type-mode))
                     (lambda (&rest _) (cons 'btf-lens-server btf-lens-server-command)))))

(defun btf-lens--request (method params)
  (jsonrpc-request (or (btf-lens--server) (error "BTF Lens is not running")) method params))

(defun btf-lens-files ()
  "Show the files BTF Lens indexed."
  (interactive)
  (let ((r (btf-lens--request :btf/files eglot--{})))
    (with-current-buffer (get-buffer-create "*btf-lens files*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (cl-loop for f across (plist-get r :files)
                 do (insert (format "%-8s %-14s %6d types  %d error(s) %d warning(s)  %s\n"
                                    (plist-get f :state) (plist-get f :kind) (plist-get f :ownTypes)
                                    (plist-get f :errors) (plist-get f :warnings) (plist-get f :label))))
        (special-mode))
      (pop-to-buffer (current-buffer)))))

(defun btf-lens-core-matrix (&optional object)
  "Show the CO-RE matrix of OBJECT × the target kernels.
OBJECT is a file name; nil: all objects."
  (interactive (list (let ((f (read-file-name "BPF object (empty: all): " nil "")))
                       (and (not (string-empty-p f)) f))))
  (let ((r (btf-lens--request :btf/coreMatrix
                              (if object (list :object (eglot--path-to-uri (expand-file-name object))) eglot--{}))))
    (with-current-buffer (get-buffer-create "*btf-lens CO-RE matrix*")
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (plist-get r :markdown))
        (special-mode))
      (pop-to-buffer (current-buffer)))))

(provide 'btf-lens)
;;; btf-lens.el ends here
