/* sy-puzzle.h — grid puzzles: reading, block programs, running them
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sy-text.h"
#include "sy-types.h"

G_BEGIN_DECLS

typedef struct _SyPuzzle SyPuzzle;
typedef struct _SyBlock  SyBlock;

/* The limits every program obeys, whatever the puzzle: they keep a run short and a block
 * program readable on a small screen. */
#define SY_PROGRAM_MAX_REPEAT 20   /* a repeat runs its body 1 to 20 times */
#define SY_PROGRAM_MAX_DEPTH  4    /* blocks inside blocks, at most 4 levels */
#define SY_RUN_MAX_STEPS      1000 /* moves and turns in one run */

/**
 * SyDirection:
 *
 * Where the robot faces, in clockwise order: north is up (y − 1), east is right (x + 1).
 */
typedef enum
{
  SY_DIRECTION_NORTH,
  SY_DIRECTION_EAST,
  SY_DIRECTION_SOUTH,
  SY_DIRECTION_WEST,
} SyDirection;

/**
 * SyBlockKind:
 *
 * The blocks of docs/course-format.md, in the order of its list. FORWARD, LEFT and RIGHT
 * are steps; REPEAT and IF_WALL_AHEAD hold other blocks.
 */
typedef enum
{
  SY_BLOCK_FORWARD,
  SY_BLOCK_LEFT,
  SY_BLOCK_RIGHT,
  SY_BLOCK_REPEAT,
  SY_BLOCK_IF_WALL_AHEAD,
} SyBlockKind;

/**
 * SyBlock:
 * @kind: what the block does
 * @count: REPEAT: how many times its body runs (1–%SY_PROGRAM_MAX_REPEAT); 0 otherwise
 * @body: (element-type SyBlock) (nullable): REPEAT: the repeated blocks; IF_WALL_AHEAD:
 *   the blocks run when a wall (or the edge of the grid) is ahead. %NULL for steps
 * @else_body: (element-type SyBlock) (nullable): IF_WALL_AHEAD: the blocks run when the
 *   way is free, or %NULL for none
 *
 * A program is a #GPtrArray of blocks, made with sy_program_new(); each block owns its
 * bodies.
 */
struct _SyBlock
{
  SyBlockKind  kind;
  guint        count;
  GPtrArray   *body;
  GPtrArray   *else_body;
};

/**
 * SyRunOutcome:
 * @SY_RUN_SOLVED: the robot reached the goal with every item collected
 * @SY_RUN_HIT_WALL: a forward step ran into a wall or off the grid
 * @SY_RUN_STOPPED_SHORT: the program ended before the goal, or on it with items left
 * @SY_RUN_TOO_MANY_BLOCKS: the program has more blocks than the puzzle's max_blocks (checked
 *   before running)
 * @SY_RUN_BLOCK_NOT_ALLOWED: the program uses a block the puzzle does not list, or breaks
 *   the program limits (checked before running)
 * @SY_RUN_TOO_MANY_STEPS: the run went on too long: more than %SY_RUN_MAX_STEPS steps, or so
 *   much checking and repeating without a step that it would seem to hang
 */
typedef enum
{
  SY_RUN_SOLVED,
  SY_RUN_HIT_WALL,
  SY_RUN_STOPPED_SHORT,
  SY_RUN_TOO_MANY_BLOCKS,
  SY_RUN_BLOCK_NOT_ALLOWED,
  SY_RUN_TOO_MANY_STEPS,
} SyRunOutcome;

/**
 * SyRunState:
 * @x: the robot's column
 * @y: its row
 * @dir: where it faces
 * @collected: how many items it has picked up so far
 * @kind: the step that led here: FORWARD, LEFT or RIGHT
 * @block: (nullable): the block that made the step, owned by the program run; %NULL for
 *   the start state
 *
 * The robot after one step. A forward step into a wall leaves the robot where it was: that
 * state is the last of a %SY_RUN_HIT_WALL run.
 */
typedef struct
{
  int             x;
  int             y;
  SyDirection     dir;
  guint           collected;
  SyBlockKind     kind;
  const SyBlock  *block;
} SyRunState;

/**
 * SyRunResult:
 * @outcome: how the run ended
 * @n_steps: the number of steps taken, the length of @trace
 * @trace: (element-type SyRunState): the state after each step, for the UI to replay
 * @end: where the run ended: the last state of @trace, or the start when there was no step
 * @block: (nullable): the block at fault: the forward step into a wall, the first block not
 *   allowed, the step that went over the limit; %NULL otherwise
 *
 * Filled by sy_puzzle_run(); free with sy_run_result_clear(). Its block pointers point
 * into the program, so they are valid as long as it is.
 */
typedef struct
{
  SyRunOutcome    outcome;
  guint           n_steps;
  GArray         *trace;
  SyRunState      end;
  const SyBlock  *block;
} SyRunResult;

#define SY_PUZZLE_ERROR (sy_puzzle_error_quark ())

typedef enum
{
  SY_PUZZLE_ERROR_PARSE,    /* the file is not a valid puzzle */
  SY_PUZZLE_ERROR_PROGRAM,  /* a program text or tree is malformed or breaks the limits */
} SyPuzzleError;

#define SY_TYPE_PUZZLE (sy_puzzle_get_type ())
#define SY_TYPE_BLOCK  (sy_block_get_type ())

GQuark              sy_puzzle_error_quark          (void);

GType               sy_puzzle_get_type             (void) G_GNUC_CONST;
SyPuzzle           *sy_puzzle_load                 (const char          *path,
                                                    GError             **error);
SyPuzzle           *sy_puzzle_new_from_data        (const char          *data,
                                                    gssize               length,
                                                    const char          *file_name,
                                                    GError             **error);
SyPuzzle           *sy_puzzle_ref                  (SyPuzzle            *self);
void                sy_puzzle_unref                (SyPuzzle            *self);
int                 sy_puzzle_get_width            (SyPuzzle            *self);
int                 sy_puzzle_get_height           (SyPuzzle            *self);
void                sy_puzzle_get_start            (SyPuzzle            *self,
                                                    int                 *x,
                                                    int                 *y,
                                                    SyDirection         *dir);
void                sy_puzzle_get_goal             (SyPuzzle            *self,
                                                    int                 *x,
                                                    int                 *y);
gboolean            sy_puzzle_is_wall              (SyPuzzle            *self,
                                                    int                  x,
                                                    int                  y);
guint               sy_puzzle_get_n_collect_cells  (SyPuzzle            *self);
void                sy_puzzle_get_collect_cell     (SyPuzzle            *self,
                                                    guint                index,
                                                    int                 *x,
                                                    int                 *y);
const SyBlockKind  *sy_puzzle_get_blocks           (SyPuzzle            *self,
                                                    guint               *n_blocks);
gboolean            sy_puzzle_allows_block         (SyPuzzle            *self,
                                                    SyBlockKind          kind);
guint               sy_puzzle_get_max_blocks       (SyPuzzle            *self);
GPtrArray          *sy_puzzle_get_hints            (SyPuzzle            *self);
SyRunOutcome        sy_puzzle_run                  (SyPuzzle            *self,
                                                    GPtrArray           *program,
                                                    SyRunResult         *result);

GType               sy_block_get_type              (void) G_GNUC_CONST;
SyBlock            *sy_block_new                   (SyBlockKind          kind);
SyBlock            *sy_block_new_repeat            (guint                count);
SyBlock            *sy_block_copy                  (const SyBlock       *block);
void                sy_block_free                  (SyBlock             *block);

GPtrArray          *sy_program_new                 (void);
GPtrArray          *sy_program_parse               (const char          *text,
                                                    GError             **error);
char               *sy_program_to_string           (GPtrArray           *program);
guint               sy_program_count_blocks        (GPtrArray           *program);
gboolean            sy_program_validate            (GPtrArray           *program,
                                                    GError             **error);

void                sy_run_result_clear            (SyRunResult         *result);
const char         *sy_run_outcome_describe        (SyRunOutcome         outcome);
const char         *sy_run_result_describe         (const SyRunResult   *result,
                                                    SyPuzzle            *puzzle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyPuzzle, sy_puzzle_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyBlock, sy_block_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SyRunResult, sy_run_result_clear)

G_END_DECLS
