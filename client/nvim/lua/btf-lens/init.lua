-- BTF Lens for Neovim (0.7 as Debian ships it, and current releases; nvim-lspconfig optional).
--
--   require('btf-lens').setup({ settings = { coreTargets = { '/boot/vmlinux-6.1.btf' } } })
--
-- Starts `btf-lens-ls` (the server over stdio) for C buffers, one per project root; reads `btf-lens:///…`
-- buffers (a type as C, a function's disassembly) through the server's `btf/document` request; answers the
-- server's window/showDocument (code lenses) on releases that do not; adds :BtfLensFiles, :BtfLensSearch,
-- :BtfLensMatrix, :BtfLensSettings. The requests are documented in README.md "Other editors".
local M = {}

local NAME = 'btf_lens'
local SCHEME = 'btf-lens:'

M.defaults = {
  -- The server: `btf-lens-ls` on PATH (npm's bin), or e.g. { 'node', '/path/to/btf-lens/dist/server.js', '--stdio' }.
  cmd = { 'btf-lens-ls' },
  filetypes = { 'c', 'cpp' },
  -- A project root is the nearest directory above the file holding one of these; else the current directory.
  -- Or root_dir = function(path) return dir end. Every BTF file under the root is indexed.
  root_markers = { '.git', 'Makefile', 'compile_commands.json' },
  root_dir = nil,
  -- The `btfLens.*` settings (README "Settings"), without the prefix: { kernelBtf = …, coreTargets = {…} }.
  settings = {},
  -- Start the server from this module (false: nvim-lspconfig starts it, see M.lspconfig()).
  autostart = true,
  -- Refresh code lenses of C buffers (run one with :lua vim.lsp.codelens.run()).
  codelens = true,
  on_attach = nil,
}

local opts = vim.deepcopy(M.defaults)
local uv = vim.uv or vim.loop

--- client:request_sync on 0.11+ (method call), client.request_sync before (0.7 has only that form).
local function request_sync(client, method, params, timeout, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then return client:request_sync(method, params, timeout, bufnr) end
  return client.request_sync(method, params, timeout, bufnr)
end

local function get_clients()
  if vim.lsp.get_clients then return vim.lsp.get_clients({ name = NAME }) end
  local out = {}
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == NAME then table.insert(out, c) end
  end
  return out
end

--- The running BTF Lens client: the one whose root holds `path` (a file or a `btf-lens:` URI), else the first.
function M.client(path)
  local clients = get_clients()
  if path then
    path = path:gsub('^btf%-lens:/*', '/'):gsub('%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end)
    for _, c in ipairs(clients) do
      local root = c.config.root_dir
      if root and path:sub(1, #root + 1) == root .. '/' then return c end
    end
  end
  return clients[1]
end

local function root_of(path)
  if opts.root_dir then return opts.root_dir(path) end
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while dir and dir ~= '' do
    for _, m in ipairs(opts.root_markers) do
      if uv.fs_stat(dir .. '/' .. m) then return dir end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then break end
    dir = parent
  end
  return vim.fn.getcwd()
end

--- Opens a `btf-lens:` URI at a 0-based line (the server's window/showDocument, code lenses).
local function show(uri, line, focus)
  local bufnr = vim.uri_to_bufnr(uri)
  if focus == false then
    vim.fn.bufload(bufnr)
    return true
  end
  vim.api.nvim_set_current_buf(bufnr)
  vim.bo[bufnr].buflisted = true
  if line then
    local last = vim.api.nvim_buf_line_count(bufnr)
    vim.api.nvim_win_set_cursor(0, { math.min(line + 1, last), 0 })
  end
  return true
end

local function show_document(_, result)
  if not result or not result.uri then return { success = false } end
  if result.external then return { success = false } end
  local line = result.selection and result.selection.start.line or nil
  local ok = pcall(show, result.uri, line, result.takeFocus)
  return { success = ok }
end

--- The last `btf/status` the server sent ({ state = 'indexing' | 'ready', files, indexed, failed, kernel }).
M.status = nil

local function on_status(_, p)
  M.status = p
  -- Index done: lenses of the C buffer in view (Neovim before 0.10 takes no workspace/codeLens/refresh).
  if p and p.state == 'ready' and opts.codelens then
    vim.schedule(function()
      if vim.tbl_contains(opts.filetypes, vim.bo.filetype) then pcall(vim.lsp.codelens.refresh) end
    end)
  end
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.window = caps.window or {}
  caps.window.showDocument = { support = true }
  return caps
end

--- The client configuration (vim.lsp.start_client's, or nvim-lspconfig's default_config).
function M.config(root)
  local handlers = { ['btf/status'] = on_status }
  -- Neovim before 0.8 has no window/showDocument handler: code lenses open their document through it.
  if not vim.lsp.handlers['window/showDocument'] then handlers['window/showDocument'] = show_document end
  return {
    name = NAME,
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    -- Answered to the server's workspace/configuration pull (section `btfLens`).
    settings = { btfLens = opts.settings },
    init_options = { settings = opts.settings },
    capabilities = capabilities(),
    handlers = handlers,
    on_attach = opts.on_attach,
  }
end

local by_root = {}

local function attach(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or name:sub(1, #SCHEME) == SCHEME or vim.bo[bufnr].buftype ~= '' then return end
  local root = root_of(name)
  if vim.lsp.start then -- 0.8+: start or reuse the client of this root, and attach
    vim.lsp.start(M.config(root), {
      bufnr = bufnr,
      reuse_client = function(c, conf) return c.name == NAME and c.config.root_dir == conf.root_dir end,
    })
    return
  end
  local id = by_root[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(M.config(root))
    if not id then return end
    by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Reads a `btf-lens:` buffer through the server (BufReadCmd).
local function read_document(bufnr, uri)
  local client = M.client(uri)
  local lines, syntax
  if not client then
    lines = { '/* BTF Lens is not running: ' .. uri .. ' */' }
  else
    local r = request_sync(client, 'btf/document', { uri = uri }, 15000, bufnr)
    if r and r.result then
      lines = vim.split(r.result.text, '\n', { plain = true })
      if lines[#lines] == '' then table.remove(lines) end
      syntax = r.result.languageId == 'bpf-asm' and 'asm' or 'c'
    else
      local why = r and r.err and (r.err.message or vim.inspect(r.err)) or 'no answer'
      lines = { '/* ' .. uri .. ': ' .. why .. ' */' }
    end
  end
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].buftype = 'nofile'
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].modifiable = false
  vim.bo[bufnr].modified = false
  -- Highlighting without a filetype: other C servers (clangd) do not attach to these buffers.
  if syntax then vim.bo[bufnr].syntax = syntax end
  -- Go to definition and the outline work inside type documents too.
  if client and not vim.lsp.buf_is_attached(bufnr, client.id) then vim.lsp.buf_attach_client(bufnr, client.id) end
end

local function scratch(name, lines, syntax)
  vim.cmd('botright new')
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].buftype = 'nofile'
  vim.bo[bufnr].bufhidden = 'wipe'
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = false
  if syntax then vim.bo[bufnr].syntax = syntax end
  pcall(vim.api.nvim_buf_set_name, bufnr, name)
end

local function request(method, params)
  local client = M.client()
  if not client then
    vim.notify('BTF Lens is not running', vim.log.levels.WARN)
    return nil
  end
  local r = request_sync(client, method, params, 30000)
  if not r or r.err then
    vim.notify(('BTF Lens: %s: %s'):format(method, r and r.err and r.err.message or 'no answer'), vim.log.levels.ERROR)
    return nil
  end
  return r.result
end

local function commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('BtfLensFiles', function()
    local r = request('btf/files', vim.empty_dict())
    if not r then return end
    local lines = {}
    for _, f in ipairs(r.files) do
      table.insert(lines, ('%-8s %-14s %6d types  %d error(s) %d warning(s)  %s%s'):format(
        f.state, f.kind, f.ownTypes, f.errors, f.warnings, f.label, f.missingBase and '  (base missing)' or ''))
    end
    scratch('btf-lens files', lines)
  end, { desc = 'BTF Lens: the indexed files' })
  cmd('BtfLensSearch', function(a)
    local r = request('btf/search', { query = a.args, limit = 200 })
    if not r then return end
    local items = {}
    for _, h in ipairs(r.hits) do
      table.insert(items, { filename = h.uri, lnum = 2, col = 1, text = ('%s %s%s'):format(h.kind, h.name, h.count > 1 and (' (' .. h.count .. ' files)') or '') })
    end
    vim.fn.setqflist({}, ' ', { title = 'BTF types: ' .. a.args, items = items })
    vim.cmd('botright copen')
  end, { nargs = 1, desc = 'BTF Lens: search types, functions and variables' })
  cmd('BtfLensMatrix', function(a)
    local object = a.args ~= '' and vim.uri_from_fname(vim.fn.fnamemodify(a.args, ':p')) or nil
    local r = request('btf/coreMatrix', object and { object = object } or vim.empty_dict())
    if r then scratch('btf-lens CO-RE matrix', vim.split(r.markdown, '\n', { plain = true }), 'markdown') end
  end, { nargs = '?', complete = 'file', desc = 'BTF Lens: CO-RE matrix of an object (or all) × the target kernels' })
  cmd('BtfLensSettings', function()
    local r = request('btf/settings', vim.empty_dict())
    if r then scratch('btf-lens settings', vim.split(vim.inspect(r), '\n', { plain = true }), 'lua') end
  end, { desc = 'BTF Lens: the settings the server received and uses' })
end

--- For nvim-lspconfig users: `require('lspconfig.configs').btf_lens = require('btf-lens').lspconfig()`, then
--- `require('lspconfig').btf_lens.setup({})` (with setup({ autostart = false }) from this module first).
function M.lspconfig()
  local cfg = M.config(nil)
  cfg.root_dir = function(fname) return root_of(fname) end
  cfg.workspace_folders = nil
  return { default_config = cfg, docs = { description = 'BTF Lens: BTF, .BTF.ext and CO-RE of BPF objects' } }
end

function M.setup(user)
  opts = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), user or {})
  local group = vim.api.nvim_create_augroup('btf-lens', { clear = true })
  vim.api.nvim_create_autocmd('BufReadCmd', {
    group = group,
    -- A pattern without '/' would match the file name's tail only.
    pattern = 'btf-lens:/*',
    callback = function(a) read_document(a.buf, a.match) end,
  })
  if opts.autostart then
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = opts.filetypes,
      callback = function(a) attach(a.buf) end,
    })
    -- Buffers already open when setup() runs.
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(opts.filetypes, vim.bo[b].filetype) then attach(b) end
    end
  end
  if opts.codelens then
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      callback = function(a)
        if not vim.tbl_contains(opts.filetypes, vim.bo[a.buf].filetype) then return end
        for _, c in ipairs(get_clients()) do
          if vim.lsp.buf_is_attached(a.buf, c.id) then return vim.lsp.codelens.refresh() end
        end
      end,
    })
  end
  commands()
end

return M
