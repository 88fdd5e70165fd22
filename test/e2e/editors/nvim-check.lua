-- Drives a headless Neovim through the shipped client/nvim config (test/e2e/nvim.test.ts runs it and checks
-- what it writes). Everything goes through Neovim's own LSP client: vim.lsp.buf.hover/definition/workspace_symbol,
-- vim.lsp.codelens, vim.diagnostic. Writes JSON facts to $BTF_LENS_NVIM_OUT and quits.
local out = {}
local ws = os.getenv('BTF_LENS_WS')

local function wait(ms, cond) return vim.wait(ms, cond, 50) end

local function btf_window(suffix)
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(w)
    local name = vim.api.nvim_buf_get_name(b)
    if name:sub(1, 9) == 'btf-lens:' and (not suffix or name:sub(-#suffix) == suffix) then return w, b, name end
  end
end

local function facts_of(w, b, name)
  local row = vim.api.nvim_win_get_cursor(w)[1]
  return { name = name, line = row - 1, text = vim.api.nvim_buf_get_lines(b, row - 1, row, false)[1], lines = vim.api.nvim_buf_get_lines(b, 0, 12, false) }
end

local function line_of(bufnr, needle)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local at = l:find(needle, 1, true)
    if at then return i, at end
  end
end

local function run()
  vim.cmd('filetype on')
  vim.cmd('syntax on')
  local btf = require('btf-lens')
  btf.setup({
    cmd = { os.getenv('BTF_LENS_NODE'), os.getenv('BTF_LENS_LS') },
    -- The workspace's own Debian 6.1 kernel as the CO-RE target: warnings on core.c that do not depend on the host.
    settings = { kernelBtf = 'none', coreTargets = { ws .. '/kernels/vmlinux-6.1.0-56-amd64.xz' } },
  })
  vim.cmd('edit ' .. ws .. '/src/core.c')
  local src = vim.api.nvim_get_current_buf()
  out.attached = wait(10000, function() return btf.client() ~= nil and vim.lsp.buf_is_attached(src, btf.client().id) end)
  out.ready = wait(60000, function() return btf.status ~= nil and btf.status.state == 'ready' end)

  -- Hover on `pid` in BPF_CORE_READ(t, pid): the floating window's lines, as the user sees them.
  local row, col = line_of(src, 'o->pid = BPF_CORE_READ(t, pid);')
  local pid_col = vim.api.nvim_buf_get_lines(src, row - 1, row, false)[1]:find('pid);', 1, true)
  vim.api.nvim_win_set_cursor(0, { row, pid_col })
  local main_win = vim.api.nvim_get_current_win()
  vim.lsp.buf.hover()
  local float
  wait(20000, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then float = w return true end
    end
  end)
  if float then
    out.hover = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
    vim.api.nvim_win_close(float, true)
  end

  -- Diagnostics on the source (CO-RE relocations that fail on the 6.1 target).
  wait(30000, function() return #vim.diagnostic.get(src) > 0 end)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(src)) do table.insert(out.diagnostics, { lnum = d.lnum, severity = d.severity, message = d.message }) end

  -- A code lens run: the server's btf-lens.open, answered with window/showDocument.
  vim.lsp.codelens.refresh()
  wait(20000, function() return #vim.lsp.codelens.get(src) > 0 end)
  out.lenses = {}
  for _, l in ipairs(vim.lsp.codelens.get(src)) do table.insert(out.lenses, { line = l.range.start.line, title = l.command and l.command.title, command = l.command and l.command.command }) end
  local fn_row = line_of(src, 'int core_reads(void *ctx)')
  vim.api.nvim_win_set_cursor(main_win, { fn_row, 0 })
  vim.ui.select = function(items, o, on_choice)
    for i, item in ipairs(items) do
      local label = o.format_item and o.format_item(item) or tostring(item)
      if label:find('build/core.bpfel.o', 1, true) then return on_choice(item, i) end
    end
    on_choice(nil, nil)
  end
  vim.lsp.codelens.run()
  if wait(20000, function() return btf_window('@fn/core_reads.bpf-asm') ~= nil end) then
    out.lens_doc = facts_of(btf_window('@fn/core_reads.bpf-asm'))
  end

  -- Go to definition of `pid`: lands on the member's line in the type's btf-lens: buffer.
  vim.api.nvim_set_current_win(main_win)
  vim.api.nvim_set_current_buf(src)
  vim.api.nvim_win_set_cursor(0, { row, pid_col })
  vim.lsp.buf.definition()
  local def_suffix = '/@22/struct%20task_struct.btf.h'
  if not wait(20000, function() return btf_window(def_suffix) ~= nil end) then
    -- Releases that list several locations in the quickfix list without jumping.
    if #vim.fn.getqflist() > 0 then pcall(vim.cmd, 'cfirst') end
  end
  if btf_window(def_suffix) then out.definition = facts_of(btf_window(def_suffix)) end

  -- Inside that type document, go to definition of `struct mm_struct` (the server is attached to it too).
  local dw, db = btf_window(def_suffix)
  if dw then
    vim.cmd('cclose')
    vim.api.nvim_set_current_win(dw)
    local mrow, mcol = line_of(db, 'struct mm_struct *mm;')
    vim.api.nvim_win_set_cursor(dw, { mrow, mcol + #'struct ' })
    vim.lsp.buf.definition()
    if wait(20000, function() return btf_window('/@61/struct%20mm_struct.btf.h') ~= nil end) then
      out.inner_definition = facts_of(btf_window('/@61/struct%20mm_struct.btf.h'))
    end
  end
  out.quickfix = {}
  for _, q in ipairs(vim.fn.getqflist()) do table.insert(out.quickfix, vim.api.nvim_buf_get_name(q.bufnr) .. ':' .. q.lnum) end

  -- Workspace symbol `task_struct`: the struct's item opens a buffer holding it.
  vim.cmd('only')
  vim.api.nvim_set_current_buf(src)
  vim.fn.setqflist({}, 'r', { items = {} })
  vim.lsp.buf.workspace_symbol('task_struct')
  wait(20000, function() return #vim.fn.getqflist() > 0 end)
  out.symbols = {}
  local pick
  for i, q in ipairs(vim.fn.getqflist()) do
    table.insert(out.symbols, q.text)
    if not pick and q.text:match('task_struct$') and q.text:find('Struct', 1, true) then pick = i end
  end
  if pick then
    vim.cmd('cc ' .. pick)
    local b = vim.api.nvim_get_current_buf()
    out.symbol_doc = { name = vim.api.nvim_buf_get_name(b), lines = vim.api.nvim_buf_get_lines(b, 0, 4, false) }
  end
end

local ok, err = xpcall(run, debug.traceback)
if not ok then out.error = err end
local f = assert(io.open(os.getenv('BTF_LENS_NVIM_OUT'), 'w'))
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
