/* sy-puzzle.c — grid puzzles: reading, block programs, running them
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A program has a compact text form, used by the tests and recorded as the response of a
 * puzzle's xAPI statement, so a teacher can read what a child tried:
 *
 *   F              forward
 *   L, R           turn left, turn right
 *   R4{F L}        repeat 4 times (1–20)
 *   W{L}  W{L}{F}  if a wall is ahead: the first body, else the optional second one
 *
 * Blocks are separated by one space in the form sy_program_to_string() writes, and
 * sy_program_parse() reads that form back exactly. It also takes any other white space
 * between blocks, or none, since every block ends where the next one starts.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

#include "sy-i18n.h"
#include "sy-json-private.h"
#include "sy-puzzle.h"

/* Empty repeats and if-blocks cost no step, so the step limit alone would let
 * R20{R20{R20{R20{}}}} loop 160,000 times doing nothing. Every block run and every
 * repeat round also spends from this budget; a real program needs a few per step. */
#define MAX_BLOCK_RUNS (100 * SY_RUN_MAX_STEPS)

#define MAX_SIZE       16
#define MAX_MAX_BLOCKS 100

enum
{
  CELL_WALL = 1 << 0,
  CELL_ITEM = 1 << 1,
};

typedef struct
{
  int x;
  int y;
} Cell;

struct _SyPuzzle
{
  gatomicrefcount  ref_count;
  int              width;
  int              height;
  int              start_x;
  int              start_y;
  SyDirection      start_dir;
  int              goal_x;
  int              goal_y;
  guint8          *cells;       /* width × height CELL_ flags, row by row */
  GArray          *collect;     /* Cell, in the file's order, each cell once */
  SyBlockKind      blocks[SY_BLOCK_IF_WALL_AHEAD + 1];
  guint            n_blocks;
  guint            max_blocks;
  GPtrArray       *hints;       /* SyText */
};

static const char * const direction_names[] = { "north", "east", "south", "west" };
static const char * const block_names[] = {
  "forward", "left", "right", "repeat", "if-wall-ahead"
};
static const int dx[] = { 0, 1, 0, -1 };
static const int dy[] = { -1, 0, 1, 0 };

G_DEFINE_QUARK (sy-puzzle-error-quark, sy_puzzle_error)
G_DEFINE_BOXED_TYPE (SyPuzzle, sy_puzzle, sy_puzzle_ref, sy_puzzle_unref)
G_DEFINE_BOXED_TYPE (SyBlock, sy_block, sy_block_copy, sy_block_free)

/* ---- reading JSON ---- */

typedef SyJsonCtx JsonCtx;

static gboolean
json_int (JsonCtx     *c,
          json_object *obj,
          const char  *prefix,
          const char  *key,
          int          min,
          int          max,
          int         *out)
{
  g_autofree char *field = _sy_json_field (prefix, key);
  json_object *val;
  gint64 value;

  if (!_sy_json_get (c, obj, prefix, key, json_type_double, TRUE, &val))
    return FALSE;
  if (!json_object_is_type (val, json_type_int))
    return _sy_json_fail (c, field, _("this should be %s."), _("a whole number"));
  value = json_object_get_int64 (val);
  if (value < min || value > max)
    return _sy_json_fail (c, field, _("%g is out of range: use a number from %g to %g."),
                      (double) value, (double) min, (double) max);
  *out = (int) value;
  return TRUE;
}

static gboolean
json_cell (JsonCtx     *c,
           json_object *val,
           const char  *field,
           int          width,
           int          height,
           Cell        *out)
{
  gint64 x, y;

  if (!json_object_is_type (val, json_type_array) || json_object_array_length (val) != 2 ||
      !json_object_is_type (json_object_array_get_idx (val, 0), json_type_int) ||
      !json_object_is_type (json_object_array_get_idx (val, 1), json_type_int))
    return _sy_json_fail (c, field, _("a cell is written [x, y]."));

  x = json_object_get_int64 (json_object_array_get_idx (val, 0));
  y = json_object_get_int64 (json_object_array_get_idx (val, 1));
  /* clamped for the message only: the grid is at most 16 wide */
  if (x < 0 || y < 0 || x >= width || y >= height)
    return _sy_json_fail (c, field, _("the cell [%d, %d] is outside the %d × %d grid."),
                      (int) CLAMP (x, G_MININT, G_MAXINT), (int) CLAMP (y, G_MININT, G_MAXINT),
                      width, height);
  out->x = (int) x;
  out->y = (int) y;
  return TRUE;
}

static int
find_name (const char * const *names,
           guint               n_names,
           const char         *name)
{
  for (guint i = 0; i < n_names; i++)
    if (g_str_equal (names[i], name))
      return (int) i;
  return -1;
}

static guint8 *
cell_at (SyPuzzle *self,
         int       x,
         int       y)
{
  return &self->cells[y * self->width + x];
}

static gboolean
json_position (JsonCtx     *c,
               json_object *root,
               SyPuzzle    *self,
               const char  *key,
               int         *x,
               int         *y)
{
  json_object *obj;

  return _sy_json_get (c, root, NULL, key, json_type_object, TRUE, &obj) &&
         json_int (c, obj, key, "x", 0, self->width - 1, x) &&
         json_int (c, obj, key, "y", 0, self->height - 1, y);
}

/* Reads the cells of "walls" (@flag CELL_WALL) or "collect" (CELL_ITEM) into @self. */
static gboolean
json_cells (JsonCtx     *c,
            json_object *root,
            SyPuzzle    *self,
            const char  *key,
            guint8       flag)
{
  json_object *list;

  if (!_sy_json_get (c, root, NULL, key, json_type_array, FALSE, &list))
    return FALSE;

  for (guint i = 0; list != NULL && i < json_object_array_length (list); i++)
    {
      g_autofree char *field = g_strdup_printf ("%s[%u]", key, i);
      Cell cell;
      guint8 *flags;

      if (!json_cell (c, json_object_array_get_idx (list, i), field,
                      self->width, self->height, &cell))
        return FALSE;
      flags = cell_at (self, cell.x, cell.y);

      if (flag == CELL_WALL && ((cell.x == self->start_x && cell.y == self->start_y) ||
                                (cell.x == self->goal_x && cell.y == self->goal_y)))
        return _sy_json_fail (c, field, _("a wall cannot stand on the start or the goal."));
      /* the package checker does not look for this, but such a puzzle cannot be solved */
      if (flag == CELL_ITEM && (*flags & CELL_WALL))
        return _sy_json_fail (c, field,
                          _("an item cannot stand on a wall: the robot could never reach it."));

      /* an item listed twice is still one item, or the puzzle could never be solved */
      if (flag == CELL_ITEM && !(*flags & CELL_ITEM))
        g_array_append_val (self->collect, cell);
      *flags |= flag;
    }
  return TRUE;
}

static gboolean
json_blocks (JsonCtx     *c,
             json_object *root,
             SyPuzzle    *self)
{
  json_object *list;

  if (!_sy_json_get (c, root, NULL, "blocks", json_type_array, TRUE, &list))
    return FALSE;
  if (json_object_array_length (list) == 0)
    return _sy_json_fail (c, "blocks", _("allow at least one block."));

  for (guint i = 0; i < json_object_array_length (list); i++)
    {
      json_object *val = json_object_array_get_idx (list, i);
      int kind;

      if (!json_object_is_type (val, json_type_string) ||
          (kind = find_name (block_names, G_N_ELEMENTS (block_names),
                             json_object_get_string (val))) < 0)
        {
          g_autofree char *field = g_strdup_printf ("blocks[%u]", i);
          return _sy_json_fail (c, field, _("use forward, left, right, repeat or if-wall-ahead."));
        }
      if (!sy_puzzle_allows_block (self, kind))
        self->blocks[self->n_blocks++] = kind;
    }
  return TRUE;
}

static gboolean
json_hints (JsonCtx     *c,
            json_object *root,
            SyPuzzle    *self)
{
  json_object *list;

  if (!_sy_json_get (c, root, NULL, "hints", json_type_array, FALSE, &list))
    return FALSE;

  for (guint i = 0; list != NULL && i < json_object_array_length (list); i++)
    {
      g_autoptr(SyText) text = sy_text_new_from_json (json_object_array_get_idx (list, i));

      if (text == NULL || sy_text_get_n_languages (text) == 0)
        {
          g_autofree char *field = g_strdup_printf ("hints[%u]", i);
          return _sy_json_fail (c, field, _("this should be a text: a string, or an object such as "
                                        "{\"zh_CN\": \"…\", \"en\": \"…\"}."));
        }
      g_ptr_array_add (self->hints, g_steal_pointer (&text));
    }
  return TRUE;
}

static SyPuzzle *
puzzle_alloc (void)
{
  SyPuzzle *self = g_new0 (SyPuzzle, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->collect = g_array_new (FALSE, FALSE, sizeof (Cell));
  self->hints = g_ptr_array_new_with_free_func ((GDestroyNotify) sy_text_unref);
  return self;
}

static SyPuzzle *
load_json (const char  *data,
           gsize        length,
           const char  *file_name,
           GError     **error)
{
  g_autoptr(SyPuzzle) self = puzzle_alloc ();
  JsonCtx ctx = { file_name, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PARSE, error };
  JsonCtx *c = &ctx;
  json_object *root, *start, *dir;
  int max_blocks = 0, d;
  SyPuzzle *ret = NULL;

  if (!(root = _sy_json_parse_object (c, data, length)))
    return NULL;

  if (!json_int (c, root, NULL, "width", 2, MAX_SIZE, &self->width) ||
      !json_int (c, root, NULL, "height", 2, MAX_SIZE, &self->height) ||
      !json_int (c, root, NULL, "max_blocks", 1, MAX_MAX_BLOCKS, &max_blocks) ||
      !json_position (c, root, self, "start", &self->start_x, &self->start_y) ||
      !_sy_json_get (c, root, NULL, "start", json_type_object, TRUE, &start) ||
      !_sy_json_get (c, start, "start", "dir", json_type_string, TRUE, &dir))
    goto out;
  self->max_blocks = max_blocks;

  d = find_name (direction_names, G_N_ELEMENTS (direction_names), json_object_get_string (dir));
  if (d < 0)
    {
      _sy_json_fail (c, "start.dir", _("use north, east, south or west."));
      goto out;
    }
  self->start_dir = d;

  self->cells = g_new0 (guint8, self->width * self->height);
  if (!json_position (c, root, self, "goal", &self->goal_x, &self->goal_y) ||
      !json_cells (c, root, self, "walls", CELL_WALL) ||
      !json_cells (c, root, self, "collect", CELL_ITEM) ||
      !json_blocks (c, root, self) ||
      !json_hints (c, root, self))
    goto out;

  ret = g_steal_pointer (&self);

out:
  json_object_put (root);
  return ret;
}

/* ---- the puzzle ---- */

/**
 * sy_puzzle_new_from_data:
 * @data: the contents of a puzzle file (docs/course-format.md, “Puzzles”)
 * @length: its length, or -1 if nul-terminated
 * @file_name: the file's name, which error messages start with
 *
 * Checks what the package checker checks, and also that no item stands on a wall.
 *
 * Returns: (transfer full) (nullable): the puzzle, or %NULL with %SY_PUZZLE_ERROR_PARSE
 */
SyPuzzle *
sy_puzzle_new_from_data (const char  *data,
                         gssize       length,
                         const char  *file_name,
                         GError     **error)
{
  const char *bad;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (file_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = strlen (data);
  /* json-c takes an int length */
  if (length > G_MAXINT)
    length = G_MAXINT;

  if (!g_utf8_validate (data, length, &bad))
    {
      g_autofree char *msg =
        g_strdup_printf (_("the text is not valid UTF-8 (at byte %u). Save the file as UTF-8."),
                         (guint) (bad - data));
      g_set_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PARSE, "%s: %s", file_name, msg);
      return NULL;
    }

  return load_json (data, length, file_name, error);
}

/**
 * sy_puzzle_load:
 * @path: a puzzle file (`.json`)
 *
 * Returns: (transfer full) (nullable): the puzzle; %NULL with a #GFileError if the file
 *   cannot be read, or %SY_PUZZLE_ERROR_PARSE if it is not a valid puzzle
 */
SyPuzzle *
sy_puzzle_load (const char  *path,
                GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  display = g_filename_display_name (path);
  return sy_puzzle_new_from_data (contents, length, display, error);
}

SyPuzzle *
sy_puzzle_ref (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sy_puzzle_unref (SyPuzzle *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->cells);
      g_array_unref (self->collect);
      g_ptr_array_unref (self->hints);
      g_free (self);
    }
}

int
sy_puzzle_get_width (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

int
sy_puzzle_get_height (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->height;
}

/**
 * sy_puzzle_get_start:
 * @x: (out) (optional): the start column
 * @y: (out) (optional): the start row
 * @dir: (out) (optional): where the robot faces at the start
 */
void
sy_puzzle_get_start (SyPuzzle    *self,
                     int         *x,
                     int         *y,
                     SyDirection *dir)
{
  g_return_if_fail (self != NULL);
  if (x)
    *x = self->start_x;
  if (y)
    *y = self->start_y;
  if (dir)
    *dir = self->start_dir;
}

/**
 * sy_puzzle_get_goal:
 * @x: (out) (optional): the goal's column
 * @y: (out) (optional): the goal's row
 */
void
sy_puzzle_get_goal (SyPuzzle *self,
                    int      *x,
                    int      *y)
{
  g_return_if_fail (self != NULL);
  if (x)
    *x = self->goal_x;
  if (y)
    *y = self->goal_y;
}

/**
 * sy_puzzle_is_wall:
 *
 * Returns: whether the robot cannot enter the cell: a wall, or a cell outside the grid
 */
gboolean
sy_puzzle_is_wall (SyPuzzle *self,
                   int       x,
                   int       y)
{
  g_return_val_if_fail (self != NULL, TRUE);
  if (x < 0 || y < 0 || x >= self->width || y >= self->height)
    return TRUE;
  return (*cell_at (self, x, y) & CELL_WALL) != 0;
}

/**
 * sy_puzzle_get_n_collect_cells:
 *
 * Returns: the number of items to pick up before the goal counts
 */
guint
sy_puzzle_get_n_collect_cells (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->collect->len;
}

/**
 * sy_puzzle_get_collect_cell:
 * @index: from 0 to sy_puzzle_get_n_collect_cells() − 1, in the file's order
 * @x: (out) (optional): the item's column
 * @y: (out) (optional): its row
 */
void
sy_puzzle_get_collect_cell (SyPuzzle *self,
                            guint     index,
                            int      *x,
                            int      *y)
{
  Cell *cell;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->collect->len);

  cell = &g_array_index (self->collect, Cell, index);
  if (x)
    *x = cell->x;
  if (y)
    *y = cell->y;
}

/**
 * sy_puzzle_get_blocks:
 * @n_blocks: (out): the number of kinds
 *
 * Returns: (array length=n_blocks) (transfer none): the blocks a child may use, in the
 *   file's order (for the palette), each once
 */
const SyBlockKind *
sy_puzzle_get_blocks (SyPuzzle *self,
                      guint    *n_blocks)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_blocks != NULL, NULL);
  *n_blocks = self->n_blocks;
  return self->blocks;
}

gboolean
sy_puzzle_allows_block (SyPuzzle    *self,
                        SyBlockKind  kind)
{
  g_return_val_if_fail (self != NULL, FALSE);
  for (guint i = 0; i < self->n_blocks; i++)
    if (self->blocks[i] == kind)
      return TRUE;
  return FALSE;
}

/**
 * sy_puzzle_get_max_blocks:
 *
 * Returns: the block limit, counted as sy_program_count_blocks() does
 */
guint
sy_puzzle_get_max_blocks (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_blocks;
}

/**
 * sy_puzzle_get_hints:
 *
 * Returns: (transfer none) (element-type SyText): the hints, shown one at a time; may be
 *   empty
 */
GPtrArray *
sy_puzzle_get_hints (SyPuzzle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->hints;
}

/* ---- blocks and programs ---- */

/**
 * sy_block_new:
 * @kind: the kind of block
 *
 * A repeat runs once and an if-wall-ahead has no else until changed; both start with an
 * empty body.
 *
 * Returns: (transfer full): a new block
 */
SyBlock *
sy_block_new (SyBlockKind kind)
{
  SyBlock *block;

  g_return_val_if_fail (kind <= SY_BLOCK_IF_WALL_AHEAD, NULL);

  block = g_new0 (SyBlock, 1);
  block->kind = kind;
  if (kind == SY_BLOCK_REPEAT)
    block->count = 1;
  if (kind == SY_BLOCK_REPEAT || kind == SY_BLOCK_IF_WALL_AHEAD)
    block->body = sy_program_new ();
  return block;
}

/**
 * sy_block_new_repeat:
 * @count: how many times the body runs, 1–%SY_PROGRAM_MAX_REPEAT
 *
 * Returns: (transfer full): a new repeat block with an empty body
 */
SyBlock *
sy_block_new_repeat (guint count)
{
  SyBlock *block;

  g_return_val_if_fail (count >= 1 && count <= SY_PROGRAM_MAX_REPEAT, NULL);

  block = sy_block_new (SY_BLOCK_REPEAT);
  block->count = count;
  return block;
}

static GPtrArray *
copy_sequence (GPtrArray *seq)
{
  GPtrArray *copy;

  if (seq == NULL)
    return NULL;
  copy = g_ptr_array_new_full (seq->len, (GDestroyNotify) sy_block_free);
  for (guint i = 0; i < seq->len; i++)
    g_ptr_array_add (copy, sy_block_copy (g_ptr_array_index (seq, i)));
  return copy;
}

/**
 * sy_block_copy:
 *
 * Returns: (transfer full): a deep copy of @block, bodies included
 */
SyBlock *
sy_block_copy (const SyBlock *block)
{
  SyBlock *copy;

  g_return_val_if_fail (block != NULL, NULL);

  copy = g_new0 (SyBlock, 1);
  copy->kind = block->kind;
  copy->count = block->count;
  copy->body = copy_sequence (block->body);
  copy->else_body = copy_sequence (block->else_body);
  return copy;
}

void
sy_block_free (SyBlock *block)
{
  if (block == NULL)
    return;
  g_clear_pointer (&block->body, g_ptr_array_unref);
  g_clear_pointer (&block->else_body, g_ptr_array_unref);
  g_free (block);
}

/**
 * sy_program_new:
 *
 * Returns: (transfer full) (element-type SyBlock): an empty program, which frees its blocks
 */
GPtrArray *
sy_program_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sy_block_free);
}

/**
 * sy_program_count_blocks:
 * @program: (element-type SyBlock): a program
 *
 * Every block counts one; a repeat or an if-wall-ahead also counts the blocks inside it.
 *
 * Returns: the number of blocks, as max_blocks limits it
 */
guint
sy_program_count_blocks (GPtrArray *program)
{
  guint n = 0;

  g_return_val_if_fail (program != NULL, 0);

  for (guint i = 0; i < program->len; i++)
    {
      SyBlock *block = g_ptr_array_index (program, i);

      n++;
      if (block->body)
        n += sy_program_count_blocks (block->body);
      if (block->else_body)
        n += sy_program_count_blocks (block->else_body);
    }
  return n;
}

static gboolean
block_is_well_formed (const SyBlock *block)
{
  switch (block->kind)
    {
    case SY_BLOCK_FORWARD:
    case SY_BLOCK_LEFT:
    case SY_BLOCK_RIGHT:
      return block->body == NULL && block->else_body == NULL;
    case SY_BLOCK_REPEAT:
      return block->body != NULL && block->else_body == NULL;
    case SY_BLOCK_IF_WALL_AHEAD:
      return block->body != NULL;
    default:
      return FALSE;
    }
}

/* Checks the shape of @seq, whose blocks sit inside @depth others, setting *bad to the
 * first bad block. It never descends past the depth limit, so even a tree built deeper
 * than any stack can hold is refused safely. */
static gboolean
validate_sequence (GPtrArray      *seq,
                   guint           depth,
                   const SyBlock **bad,
                   GError        **error)
{
  for (guint i = 0; i < seq->len; i++)
    {
      const SyBlock *block = g_ptr_array_index (seq, i);

      *bad = block;
      if (block == NULL || !block_is_well_formed (block))
        {
          g_set_error_literal (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM,
                               _("the program has a malformed block."));
          return FALSE;
        }
      if (block->kind == SY_BLOCK_REPEAT &&
          (block->count < 1 || block->count > SY_PROGRAM_MAX_REPEAT))
        {
          g_set_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM,
                       _("a repeat needs a count from %d to %d, as in R4{F L}."),
                       1, SY_PROGRAM_MAX_REPEAT);
          return FALSE;
        }
      if (block->body == NULL)
        continue;
      if (depth >= SY_PROGRAM_MAX_DEPTH)
        {
          g_set_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM,
                       _("at most %d repeat and if blocks can sit inside one another."),
                       SY_PROGRAM_MAX_DEPTH);
          return FALSE;
        }
      if (!validate_sequence (block->body, depth + 1, bad, error) ||
          (block->else_body != NULL &&
           !validate_sequence (block->else_body, depth + 1, bad, error)))
        return FALSE;
    }
  *bad = NULL;
  return TRUE;
}

/**
 * sy_program_validate:
 * @program: (element-type SyBlock): a program built block by block
 *
 * Checks what sy_program_parse() checks of a text: repeat counts from 1 to
 * %SY_PROGRAM_MAX_REPEAT, at most %SY_PROGRAM_MAX_DEPTH levels of blocks inside blocks, and
 * bodies only where they belong. The block editor can use it to refuse a drop.
 *
 * Returns: %TRUE if sy_puzzle_run() may run it, else %FALSE with %SY_PUZZLE_ERROR_PROGRAM
 */
gboolean
sy_program_validate (GPtrArray  *program,
                     GError    **error)
{
  const SyBlock *bad = NULL;

  g_return_val_if_fail (program != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return validate_sequence (program, 0, &bad, error);
}

/* ---- the text form ---- */

typedef struct
{
  const char  *text;
  const char  *p;
  GError     **error;
} Parser;

static gboolean parse_fail (Parser     *ps,
                            const char *at,
                            const char *format,
                            ...) G_GNUC_PRINTF (3, 4);

/* Says where: a child's program is short, so the whole text and a character number are
 * enough to find the mistake. */
static gboolean
parse_fail (Parser     *ps,
            const char *at,
            const char *format,
            ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (ps->error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM,
               /* Translators: a program such as “R4{F L}”, a position in it, what is wrong */
               _("the program “%s”, character %u: %s"),
               ps->text, (guint) g_utf8_pointer_to_offset (ps->text, at) + 1, msg);
  return FALSE;
}

static GPtrArray *parse_sequence (Parser     *ps,
                                  guint       depth,
                                  const char *open);

/* Reads the body after a “{” at ps->p, for a block that sits inside @depth others. */
static GPtrArray *
parse_body (Parser     *ps,
            guint       depth,
            const char *block_start)
{
  const char *open = ps->p;

  g_assert (*open == '{');
  if (depth >= SY_PROGRAM_MAX_DEPTH)
    {
      parse_fail (ps, block_start,
                  _("at most %d repeat and if blocks can sit inside one another."),
                  SY_PROGRAM_MAX_DEPTH);
      return NULL;
    }
  ps->p++;
  return parse_sequence (ps, depth + 1, open);
}

static SyBlock *
parse_block (Parser *ps,
             guint   depth)
{
  g_autoptr(SyBlock) block = NULL;
  const char *start = ps->p;
  guint count = 0;

  switch (*ps->p)
    {
    case 'F':
      ps->p++;
      return sy_block_new (SY_BLOCK_FORWARD);

    case 'L':
      ps->p++;
      return sy_block_new (SY_BLOCK_LEFT);

    case 'R':
      ps->p++;
      if (*ps->p == '{')
        {
          parse_fail (ps, start, _("a repeat needs a count from %d to %d, as in R4{F L}."),
                      1, SY_PROGRAM_MAX_REPEAT);
          return NULL;
        }
      if (!g_ascii_isdigit (*ps->p))
        return sy_block_new (SY_BLOCK_RIGHT);

      /* stops growing once out of range, so no number of digits overflows */
      for (; g_ascii_isdigit (*ps->p); ps->p++)
        if (count <= SY_PROGRAM_MAX_REPEAT)
          count = count * 10 + (*ps->p - '0');
      if (count < 1 || count > SY_PROGRAM_MAX_REPEAT)
        {
          parse_fail (ps, start, _("a repeat needs a count from %d to %d, as in R4{F L}."),
                      1, SY_PROGRAM_MAX_REPEAT);
          return NULL;
        }
      if (*ps->p != '{')
        {
          parse_fail (ps, ps->p, _("“{” is missing: write a repeat as R4{F L}."));
          return NULL;
        }
      block = sy_block_new_repeat (count);
      g_clear_pointer (&block->body, g_ptr_array_unref);
      if (!(block->body = parse_body (ps, depth, start)))
        return NULL;
      return g_steal_pointer (&block);

    case 'W':
      ps->p++;
      if (*ps->p != '{')
        {
          parse_fail (ps, ps->p, _("“{” is missing: write “if wall ahead” as W{L} or W{L}{F}."));
          return NULL;
        }
      block = sy_block_new (SY_BLOCK_IF_WALL_AHEAD);
      g_clear_pointer (&block->body, g_ptr_array_unref);
      if (!(block->body = parse_body (ps, depth, start)))
        return NULL;
      /* a “{” cannot start a block, so after white space it can only open the else */
      while (g_ascii_isspace (*ps->p))
        ps->p++;
      if (*ps->p == '{' && !(block->else_body = parse_body (ps, depth, start)))
        return NULL;
      return g_steal_pointer (&block);

    case '}':
      parse_fail (ps, ps->p, _("this “}” has no “{” before it."));
      return NULL;

    default:
      {
        g_autofree char *what = g_strndup (ps->p, g_utf8_next_char (ps->p) - ps->p);

        parse_fail (ps, ps->p, _("“%s” is not a block. Use F, L, R, R4{…} and W{…}{…}."),
                    what);
        return NULL;
      }
    }
}

/* Reads blocks up to the end of the text (@open NULL) or up to the “}” that closes the
 * “{” at @open. */
static GPtrArray *
parse_sequence (Parser     *ps,
                guint       depth,
                const char *open)
{
  g_autoptr(GPtrArray) seq = sy_program_new ();

  for (;;)
    {
      SyBlock *block;

      while (g_ascii_isspace (*ps->p))
        ps->p++;

      if (*ps->p == '\0')
        {
          if (open != NULL)
            {
              parse_fail (ps, open, _("this “{” has no “}” after it."));
              return NULL;
            }
          return g_steal_pointer (&seq);
        }
      if (*ps->p == '}' && open != NULL)
        {
          ps->p++;
          return g_steal_pointer (&seq);
        }

      if (!(block = parse_block (ps, depth)))
        return NULL;
      g_ptr_array_add (seq, block);
    }
}

/**
 * sy_program_parse:
 * @text: a program in the text form (see the top of sy-puzzle.c), such as
 *   “R4{F L F R}”; empty for an empty program
 *
 * Returns: (transfer full) (element-type SyBlock) (nullable): the program, or %NULL with
 *   %SY_PUZZLE_ERROR_PROGRAM saying where the text is wrong
 */
GPtrArray *
sy_program_parse (const char  *text,
                  GError     **error)
{
  Parser ps = { text, text, error };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM,
                           _("the program is not valid UTF-8."));
      return NULL;
    }
  return parse_sequence (&ps, 0, NULL);
}

static void
append_sequence (GString   *s,
                 GPtrArray *seq)
{
  for (guint i = 0; seq != NULL && i < seq->len; i++)
    {
      const SyBlock *block = g_ptr_array_index (seq, i);

      if (i > 0)
        g_string_append_c (s, ' ');
      switch (block->kind)
        {
        case SY_BLOCK_FORWARD:
          g_string_append_c (s, 'F');
          break;
        case SY_BLOCK_LEFT:
          g_string_append_c (s, 'L');
          break;
        case SY_BLOCK_RIGHT:
          g_string_append_c (s, 'R');
          break;
        case SY_BLOCK_REPEAT:
          g_string_append_printf (s, "R%u{", block->count);
          append_sequence (s, block->body);
          g_string_append_c (s, '}');
          break;
        case SY_BLOCK_IF_WALL_AHEAD:
          g_string_append (s, "W{");
          append_sequence (s, block->body);
          g_string_append_c (s, '}');
          if (block->else_body != NULL)
            {
              g_string_append_c (s, '{');
              append_sequence (s, block->else_body);
              g_string_append_c (s, '}');
            }
          break;
        default:
          g_string_append_c (s, '?');
          break;
        }
    }
}

/**
 * sy_program_to_string:
 * @program: (element-type SyBlock): a program
 *
 * An empty else body is written “{}”, so a program reads back with the same shape.
 *
 * Returns: (transfer full): the text form, which sy_program_parse() reads back
 */
char *
sy_program_to_string (GPtrArray *program)
{
  GString *s;

  g_return_val_if_fail (program != NULL, NULL);

  s = g_string_new (NULL);
  append_sequence (s, program);
  return g_string_free (s, FALSE);
}

/* ---- running ---- */

typedef struct
{
  SyPuzzle       *puzzle;
  guint8         *items;       /* per cell: an item still to pick up */
  guint           n_items;
  SyRunState      state;
  GArray         *trace;
  guint           budget;      /* block runs left, see MAX_BLOCK_RUNS */
  SyRunOutcome    outcome;
  const SyBlock  *block;
} Run;

static gboolean
stop (Run           *r,
      SyRunOutcome   outcome,
      const SyBlock *block)
{
  r->outcome = outcome;
  r->block = block;
  return FALSE;
}

static gboolean
is_solved (Run *r)
{
  return r->state.x == r->puzzle->goal_x && r->state.y == r->puzzle->goal_y &&
         r->state.collected == r->n_items;
}

static gboolean
wall_ahead (Run *r)
{
  return sy_puzzle_is_wall (r->puzzle, r->state.x + dx[r->state.dir],
                            r->state.y + dy[r->state.dir]);
}

static void
pick_up (Run *r)
{
  guint8 *item = &r->items[r->state.y * r->puzzle->width + r->state.x];

  if (*item)
    {
      *item = FALSE;
      r->state.collected++;
    }
}

/* Takes one step; returns FALSE when the run ends. */
static gboolean
step (Run           *r,
      const SyBlock *block)
{
  if (r->trace->len >= SY_RUN_MAX_STEPS)
    return stop (r, SY_RUN_TOO_MANY_STEPS, block);

  r->state.kind = block->kind;
  r->state.block = block;
  switch (block->kind)
    {
    case SY_BLOCK_FORWARD:
      if (wall_ahead (r))
        {
          /* the bump is a step too, so the UI can show it where it happened */
          g_array_append_val (r->trace, r->state);
          return stop (r, SY_RUN_HIT_WALL, block);
        }
      r->state.x += dx[r->state.dir];
      r->state.y += dy[r->state.dir];
      pick_up (r);
      break;
    case SY_BLOCK_LEFT:
      r->state.dir = (r->state.dir + 3) % 4;
      break;
    case SY_BLOCK_RIGHT:
      r->state.dir = (r->state.dir + 1) % 4;
      break;
    case SY_BLOCK_REPEAT:
    case SY_BLOCK_IF_WALL_AHEAD:
    default:
      g_assert_not_reached ();
    }
  g_array_append_val (r->trace, r->state);

  if (is_solved (r))
    return stop (r, SY_RUN_SOLVED, NULL);
  return TRUE;
}

static gboolean
spend (Run           *r,
       const SyBlock *block)
{
  if (r->budget == 0)
    return stop (r, SY_RUN_TOO_MANY_STEPS, block);
  r->budget--;
  return TRUE;
}

static gboolean run_sequence (Run       *r,
                              GPtrArray *seq);

static gboolean
run_block (Run           *r,
           const SyBlock *block)
{
  if (!spend (r, block))
    return FALSE;

  switch (block->kind)
    {
    case SY_BLOCK_FORWARD:
    case SY_BLOCK_LEFT:
    case SY_BLOCK_RIGHT:
      return step (r, block);

    case SY_BLOCK_REPEAT:
      for (guint i = 0; i < block->count; i++)
        if (!spend (r, block) || !run_sequence (r, block->body))
          return FALSE;
      return TRUE;

    case SY_BLOCK_IF_WALL_AHEAD:
      if (wall_ahead (r))
        return run_sequence (r, block->body);
      return block->else_body == NULL || run_sequence (r, block->else_body);

    default:
      g_assert_not_reached ();
      return FALSE;
    }
}

static gboolean
run_sequence (Run       *r,
              GPtrArray *seq)
{
  for (guint i = 0; i < seq->len; i++)
    if (!run_block (r, g_ptr_array_index (seq, i)))
      return FALSE;
  return TRUE;
}

static const SyBlock *
find_not_allowed (SyPuzzle  *self,
                  GPtrArray *seq)
{
  for (guint i = 0; seq != NULL && i < seq->len; i++)
    {
      const SyBlock *block = g_ptr_array_index (seq, i);
      const SyBlock *bad;

      if (!sy_puzzle_allows_block (self, block->kind))
        return block;
      if ((bad = find_not_allowed (self, block->body)) ||
          (bad = find_not_allowed (self, block->else_body)))
        return bad;
    }
  return NULL;
}

/**
 * sy_puzzle_run:
 * @program: (element-type SyBlock): the child's program
 * @result: (out caller-allocates): where the run ended and how it got there; free it with
 *   sy_run_result_clear()
 *
 * Runs @program from the start, deterministically. Before running, a program that breaks
 * the limits of sy_program_validate() or uses a block the puzzle does not list is
 * %SY_RUN_BLOCK_NOT_ALLOWED, and one with more than max_blocks blocks
 * %SY_RUN_TOO_MANY_BLOCKS. An item on the start cell is picked up at once. The run ends as
 * soon as the robot stands on the goal with every item picked up (%SY_RUN_SOLVED, even if
 * blocks remain), bumps into a wall (%SY_RUN_HIT_WALL), or would go over
 * %SY_RUN_MAX_STEPS steps (%SY_RUN_TOO_MANY_STEPS); otherwise the program ends
 * %SY_RUN_STOPPED_SHORT. Whatever the program, a run returns within milliseconds.
 *
 * Returns: the outcome, as in @result
 */
SyRunOutcome
sy_puzzle_run (SyPuzzle    *self,
               GPtrArray   *program,
               SyRunResult *result)
{
  g_autofree guint8 *items = NULL;
  Run r = { 0 };

  g_return_val_if_fail (result != NULL, SY_RUN_STOPPED_SHORT);
  memset (result, 0, sizeof *result);
  result->outcome = SY_RUN_STOPPED_SHORT;
  result->trace = g_array_new (FALSE, FALSE, sizeof (SyRunState));
  g_return_val_if_fail (self != NULL, SY_RUN_STOPPED_SHORT);
  g_return_val_if_fail (program != NULL, SY_RUN_STOPPED_SHORT);

  result->end.x = self->start_x;
  result->end.y = self->start_y;
  result->end.dir = self->start_dir;

  /* The checks a child can fix without watching the robot come first, the puzzle's own
   * rules before the block count. */
  if (!validate_sequence (program, 0, &result->block, NULL) ||
      (result->block = find_not_allowed (self, program)) != NULL)
    {
      result->outcome = SY_RUN_BLOCK_NOT_ALLOWED;
      return result->outcome;
    }
  if (sy_program_count_blocks (program) > self->max_blocks)
    {
      result->outcome = SY_RUN_TOO_MANY_BLOCKS;
      return result->outcome;
    }

  items = g_new0 (guint8, self->width * self->height);
  for (int i = 0; i < self->width * self->height; i++)
    items[i] = (self->cells[i] & CELL_ITEM) != 0;

  r.puzzle = self;
  r.items = items;
  r.n_items = self->collect->len;
  r.state = result->end;
  r.trace = result->trace;
  r.budget = MAX_BLOCK_RUNS;
  r.outcome = SY_RUN_STOPPED_SHORT;

  pick_up (&r);
  if (is_solved (&r))
    r.outcome = SY_RUN_SOLVED;
  else
    run_sequence (&r, program);

  result->outcome = r.outcome;
  result->block = r.block;
  result->n_steps = r.trace->len;
  result->end = r.state;
  return result->outcome;
}

/**
 * sy_run_result_clear:
 *
 * Frees what @result holds and zeroes it; a zeroed result may be cleared too.
 */
void
sy_run_result_clear (SyRunResult *result)
{
  g_return_if_fail (result != NULL);
  g_clear_pointer (&result->trace, g_array_unref);
  memset (result, 0, sizeof *result);
}

/**
 * sy_run_outcome_describe:
 *
 * Returns: a short sentence for a child about @outcome; sy_run_result_describe() can say
 *   more
 */
const char *
sy_run_outcome_describe (SyRunOutcome outcome)
{
  switch (outcome)
    {
    case SY_RUN_SOLVED:
      /* Translators: said to a child who ran a puzzle; the robot walks to the flag */
      return _("Well done! The robot reached the flag.");
    case SY_RUN_HIT_WALL:
      return _("The robot bumped into a wall.");
    case SY_RUN_STOPPED_SHORT:
      return _("The robot stopped before the flag.");
    case SY_RUN_TOO_MANY_BLOCKS:
      return _("Too many blocks: find a shorter way.");
    case SY_RUN_BLOCK_NOT_ALLOWED:
      return _("You cannot use that block in this puzzle.");
    case SY_RUN_TOO_MANY_STEPS:
      return _("The program ran too long. Does a loop repeat too many times?");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * sy_run_result_describe:
 * @result: a result of sy_puzzle_run() on @puzzle
 * @puzzle: the puzzle run
 *
 * Like sy_run_outcome_describe(), but tells the edge of the grid from a wall, a robot on
 * the flag with items left from one that stopped before it, and suggests a loop for too
 * many blocks only where the puzzle has one.
 *
 * Returns: a short sentence for a child
 */
const char *
sy_run_result_describe (const SyRunResult *result,
                        SyPuzzle          *puzzle)
{
  const SyRunState *end;

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (puzzle != NULL, NULL);

  end = &result->end;
  switch (result->outcome)
    {
    case SY_RUN_HIT_WALL:
      {
        int x = end->x + dx[end->dir], y = end->y + dy[end->dir];

        if (x < 0 || y < 0 || x >= puzzle->width || y >= puzzle->height)
          /* Translators: shown to a child whose robot tried to walk off the grid */
          return _("The robot tried to walk off the grid.");
        break;
      }
    case SY_RUN_STOPPED_SHORT:
      if (end->x == puzzle->goal_x && end->y == puzzle->goal_y &&
          end->collected < puzzle->collect->len)
        /* Translators: said to a child whose robot missed an item (a star) on the way */
        return _("The robot reached the flag, but it did not pick up everything.");
      break;
    case SY_RUN_TOO_MANY_BLOCKS:
      if (sy_puzzle_allows_block (puzzle, SY_BLOCK_REPEAT))
        /* Translators: shown to a child whose program has too many blocks */
        return _("Too many blocks: use a loop.");
      break;
    case SY_RUN_SOLVED:
    case SY_RUN_BLOCK_NOT_ALLOWED:
    case SY_RUN_TOO_MANY_STEPS:
    default:
      break;
    }
  return sy_run_outcome_describe (result->outcome);
}
