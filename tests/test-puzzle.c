/* test-puzzle.c — grid puzzles: the sample puzzles and their solutions, wrong programs and
 * their outcomes, the step bound, items, if-wall-ahead, traces, the program text form
 * and the puzzle file's errors
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sy-puzzle.h"
#include "test-util.h"

#define N SY_DIRECTION_NORTH
#define E SY_DIRECTION_EAST
#define S SY_DIRECTION_SOUTH
#define W SY_DIRECTION_WEST

#define FWD   SY_BLOCK_FORWARD
#define LEFT  SY_BLOCK_LEFT
#define RIGHT SY_BLOCK_RIGHT

/* A corridor for wall-following: east along the bottom row to the wall at [3, 3], north to
 * the wall at [2, 0], west to the goal at [0, 1].
 *
 *   . . # .
 *   G . . .
 *   . . . .
 *   S . . #
 */
static const char maze_json[] =
  "{\"width\": 4, \"height\": 4, \"start\": {\"x\": 0, \"y\": 3, \"dir\": \"east\"},"
  " \"goal\": {\"x\": 0, \"y\": 1}, \"walls\": [[3, 3], [2, 0]],"
  " \"blocks\": [\"forward\", \"left\", \"right\", \"repeat\", \"if-wall-ahead\"],"
  " \"max_blocks\": 10}";

/* ---- helpers ---- */

static SyPuzzle *
puzzle_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  SyPuzzle *puzzle = sy_puzzle_new_from_data (json, -1, "test.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (puzzle);
  return puzzle;
}

static char *
sample_path (const char *rel)
{
  g_autofree char *samples = test_samples_dir ();

  return g_build_filename (samples, rel, NULL);
}

static SyPuzzle *
load_sample (const char *rel)
{
  g_autofree char *path = sample_path (rel);
  g_autoptr(GError) error = NULL;
  SyPuzzle *puzzle = sy_puzzle_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (puzzle);
  return puzzle;
}

static GPtrArray *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *program = sy_program_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (program);
  return program;
}

/* Checks that every state follows from the one before by exactly its step, that walls
 * are never entered, and that @result's end is the last state. */
static void
assert_trace_consistent (SyPuzzle          *puzzle,
                         const SyRunResult *result)
{
  SyRunState prev = { 0 };
  guint n_items = sy_puzzle_get_n_collect_cells (puzzle);

  sy_puzzle_get_start (puzzle, &prev.x, &prev.y, &prev.dir);
  for (guint i = 0; i < n_items; i++)
    {
      int x, y;

      sy_puzzle_get_collect_cell (puzzle, i, &x, &y);
      if (x == prev.x && y == prev.y)
        prev.collected = 1;
    }

  g_assert_nonnull (result->trace);
  g_assert_cmpuint (result->trace->len, ==, result->n_steps);
  for (guint i = 0; i < result->trace->len; i++)
    {
      const SyRunState *s = &g_array_index (result->trace, SyRunState, i);
      gboolean last = i + 1 == result->trace->len;
      static const int dx[] = { 0, 1, 0, -1 };
      static const int dy[] = { -1, 0, 1, 0 };

      g_assert_nonnull (s->block);
      g_assert_cmpint (s->block->kind, ==, s->kind);
      switch (s->kind)
        {
        case SY_BLOCK_FORWARD:
          g_assert_cmpint (s->dir, ==, prev.dir);
          if (last && result->outcome == SY_RUN_HIT_WALL)
            {
              g_assert_cmpint (s->x, ==, prev.x);
              g_assert_cmpint (s->y, ==, prev.y);
              g_assert_true (sy_puzzle_is_wall (puzzle, s->x + dx[s->dir], s->y + dy[s->dir]));
            }
          else
            {
              g_assert_cmpint (s->x, ==, prev.x + dx[prev.dir]);
              g_assert_cmpint (s->y, ==, prev.y + dy[prev.dir]);
              g_assert_false (sy_puzzle_is_wall (puzzle, s->x, s->y));
            }
          g_assert_cmpuint (s->collected, >=, prev.collected);
          g_assert_cmpuint (s->collected, <=, prev.collected + 1);
          break;
        case SY_BLOCK_LEFT:
        case SY_BLOCK_RIGHT:
          g_assert_cmpint (s->x, ==, prev.x);
          g_assert_cmpint (s->y, ==, prev.y);
          g_assert_cmpint (s->dir, ==, (prev.dir + (s->kind == SY_BLOCK_LEFT ? 3 : 1)) % 4);
          g_assert_cmpuint (s->collected, ==, prev.collected);
          break;
        case SY_BLOCK_REPEAT:
        case SY_BLOCK_IF_WALL_AHEAD:
        default:
          g_assert_not_reached ();
        }
      prev = *s;
    }

  g_assert_cmpint (result->end.x, ==, prev.x);
  g_assert_cmpint (result->end.y, ==, prev.y);
  g_assert_cmpint (result->end.dir, ==, prev.dir);
  g_assert_cmpuint (result->end.collected, ==, prev.collected);
  g_assert_cmpuint (result->end.collected, <=, n_items);

  if (result->outcome == SY_RUN_SOLVED)
    {
      int gx, gy;

      sy_puzzle_get_goal (puzzle, &gx, &gy);
      g_assert_cmpint (result->end.x, ==, gx);
      g_assert_cmpint (result->end.y, ==, gy);
      g_assert_cmpuint (result->end.collected, ==, n_items);
    }
}

/* Runs @text on @puzzle and checks the outcome, the step count and where the robot ended
 * (@x -1: anywhere). */
static void
assert_run (SyPuzzle     *puzzle,
            const char   *text,
            SyRunOutcome  outcome,
            guint         n_steps,
            int           x,
            int           y)
{
  g_autoptr(GPtrArray) program = parse (text);
  g_auto(SyRunResult) result = { 0 };

  g_test_message ("running “%s”", text);
  g_assert_cmpint (sy_puzzle_run (puzzle, program, &result), ==, outcome);
  g_assert_cmpint (result.outcome, ==, outcome);
  g_assert_cmpuint (result.n_steps, ==, n_steps);
  assert_trace_consistent (puzzle, &result);
  if (x >= 0)
    {
      g_assert_cmpint (result.end.x, ==, x);
      g_assert_cmpint (result.end.y, ==, y);
    }
}

typedef struct
{
  int          x;
  int          y;
  SyDirection  dir;
  guint        collected;
  SyBlockKind  kind;
} Expected;

static void
assert_trace (const SyRunResult *result,
              const Expected    *expected,
              guint              n_expected)
{
  g_assert_cmpuint (result->trace->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      const SyRunState *s = &g_array_index (result->trace, SyRunState, i);

      g_test_message ("step %u", i);
      g_assert_cmpint (s->x, ==, expected[i].x);
      g_assert_cmpint (s->y, ==, expected[i].y);
      g_assert_cmpint (s->dir, ==, expected[i].dir);
      g_assert_cmpuint (s->collected, ==, expected[i].collected);
      g_assert_cmpint (s->kind, ==, expected[i].kind);
    }
}

/* ---- the sample puzzles ---- */

typedef enum
{
  CONCEPT_SEQUENCE,   /* forward and turns only */
  CONCEPT_LOOP,       /* a repeat */
  CONCEPT_NESTED,     /* a repeat inside a repeat */
  CONCEPT_IF,         /* if-wall-ahead inside a repeat */
} Concept;

typedef struct
{
  const char   *program;
  SyRunOutcome  outcome;
} Wrong;

/* Every puzzle of the coding course, in the course's order: the solution the hints and
 * lessons teach, wrong programs a child might try, and a program that ignores the
 * puzzle's concept: it would solve the puzzle, but the block limit refuses it. */
static const struct
{
  const char *file;       /* under SHUYUAN_SAMPLES */
  Concept     concept;
  const char *solution;
  guint       n_blocks;
  guint       n_steps;
  Wrong       wrong[2];
  const char *ignores;    /* solves the puzzle without the concept, over max_blocks */
} known_solutions[] = {
  { "coding-for-kids/puzzles/straight-line.json", CONCEPT_SEQUENCE, "F F F F", 4, 4,
    { { "F F F", SY_RUN_STOPPED_SHORT }, { "F L F", SY_RUN_HIT_WALL } },
    /* turns that change nothing */
    "F F L R F F" },
  { "coding-for-kids/puzzles/first-steps.json", CONCEPT_SEQUENCE, "F F L F F", 5, 5,
    { { "F F F L F F", SY_RUN_HIT_WALL }, { "F F L F", SY_RUN_STOPPED_SHORT } },
    "L R F F L F F" },
  { "coding-for-kids/puzzles/little-stairs.json", CONCEPT_SEQUENCE, "F L F R F L F R F", 9, 9,
    { { "F L F L F", SY_RUN_HIT_WALL }, { "F L F R F L F R", SY_RUN_STOPPED_SHORT } },
    /* three left turns for a right one */
    "F L F R F L F L L L F" },
  { "coding-for-kids/puzzles/collect-stars.json", CONCEPT_SEQUENCE, "F L F R F R F L F", 9, 9,
    /* straight to the flag, leaving the stars */
    { { "F F F", SY_RUN_STOPPED_SHORT }, { "F L F R F F", SY_RUN_HIT_WALL } },
    /* a detour through the top row */
    "F L F F R F R F F L F" },
  { "coding-for-kids/puzzles/long-road.json", CONCEPT_LOOP, "R8{F}", 2, 8,
    { { "R7{F}", SY_RUN_STOPPED_SHORT }, { "R3{F F}", SY_RUN_STOPPED_SHORT } },
    "F F F F F F F F" },
  { "coding-for-kids/puzzles/pond.json", CONCEPT_LOOP, "R4{F F F L}", 5, 14,
    { { "R4{F F F R}", SY_RUN_HIT_WALL }, { "R3{F F F L}", SY_RUN_STOPPED_SHORT } },
    "F F F L F F F L F F F L F F" },
  /* the fourth round ends on the flag before its last turn */
  { "coding-for-kids/puzzles/stairs.json", CONCEPT_LOOP, "R4{F L F R}", 5, 15,
    { { "F R4{F L F R}", SY_RUN_HIT_WALL }, { "R3{F L F R}", SY_RUN_STOPPED_SHORT } },
    "F L F R F L F R F L F R F L F" },
  { "coding-for-kids/puzzles/star-row.json", CONCEPT_LOOP, "R3{F L F L L F L F}", 9, 24,
    /* into the nook and on, into the wall above it */
    { { "R3{F L F F}", SY_RUN_HIT_WALL }, { "R2{F L F L L F L F}", SY_RUN_STOPPED_SHORT } },
    "F L F L L F L F F L F L L F L F F L F L L F L F" },
  { "coding-for-kids/puzzles/garden.json", CONCEPT_NESTED, "R4{R5{F} L}", 4, 22,
    { { "R4{R5{F} R}", SY_RUN_HIT_WALL }, { "R3{R5{F} L}", SY_RUN_STOPPED_SHORT } },
    /* one loop, with the five forwards written out */
    "R4{F F F F F L}" },
  { "coding-for-kids/puzzles/big-stairs.json", CONCEPT_NESTED, "R3{R3{F} L F R}", 6, 17,
    /* the right turn forgotten: the second step walks into the riser */
    { { "R3{R3{F} L F}", SY_RUN_HIT_WALL }, { "R2{R3{F} L F R}", SY_RUN_STOPPED_SHORT } },
    "R3{F F F L F R}" },
  { "coding-for-kids/puzzles/corridor.json", CONCEPT_IF, "R20{F W{L}}", 4, 19,
    { { "R20{F}", SY_RUN_HIT_WALL }, { "R15{F W{L}}", SY_RUN_STOPPED_SHORT } },
    /* counting the squares of each side: the shortest without the if needs 6 blocks */
    "R2{R5{F} L R4{F} L}" },
  { "coding-for-kids/puzzles/hill.json", CONCEPT_IF, "R20{W{L F R}{F}}", 6, 19,
    /* without the else the robot steps on after a climb, into the second step of two */
    { { "R20{F W{L F R}}", SY_RUN_HIT_WALL }, { "R10{W{L F R}{F}}", SY_RUN_STOPPED_SHORT } },
    "F F L F F R R3{F F L F R}" },
};

/* How many repeat and if blocks sit inside one another in @text at most. */
static guint
program_depth (const char *text)
{
  guint depth = 0, max = 0;

  for (const char *p = text; *p; p++)
    if (*p == '{')
      {
        depth++;
        max = MAX (max, depth);
      }
    else if (*p == '}')
      depth--;
  return max;
}

static gboolean
uses_concept (const char *text,
              Concept     concept)
{
  switch (concept)
    {
    case CONCEPT_SEQUENCE:
      return strchr (text, '{') == NULL;
    case CONCEPT_LOOP:
      return strchr (text, '{') != NULL && strchr (text, 'W') == NULL;
    case CONCEPT_NESTED:
      return program_depth (text) >= 2 && strchr (text, 'W') == NULL;
    case CONCEPT_IF:
      return strchr (text, 'W') != NULL;
    default:
      g_assert_not_reached ();
    }
}

static void
assert_outcome (SyPuzzle     *puzzle,
                const char   *text,
                SyRunOutcome  outcome)
{
  g_autoptr(GPtrArray) program = parse (text);
  g_auto(SyRunResult) result = { 0 };

  g_test_message ("running “%s”", text);
  g_assert_cmpint (sy_puzzle_run (puzzle, program, &result), ==, outcome);
  assert_trace_consistent (puzzle, &result);
  if (outcome == SY_RUN_HIT_WALL)
    g_assert_nonnull (result.block);
}

/* The puzzle file with its block limit raised to 100. */
static SyPuzzle *
load_sample_unlimited (const char *rel,
                       guint       max_blocks)
{
  g_autofree char *path = sample_path (rel);
  g_autofree char *json = NULL;
  g_autofree char *limit = g_strdup_printf ("\"max_blocks\": %u", max_blocks);
  g_autoptr(GString) relaxed = NULL;

  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  relaxed = g_string_new (json);
  g_assert_cmpuint (g_string_replace (relaxed, limit, "\"max_blocks\": 100", 0), ==, 1);
  return puzzle_from (relaxed->str);
}

/* Every puzzle of every sample course: each must be in known_solutions above, solved by
 * its solution within the limit, failed by the wrong programs for the right reason, and
 * refused when it ignores the puzzle's concept, which only the block limit stops. */
static void
test_samples_solved (void)
{
  g_autofree char *samples = test_samples_dir ();
  g_autoptr(GDir) dir = g_dir_open (samples, 0, NULL);
  guint n_found = 0;
  const char *course;

  g_assert_nonnull (dir);
  while ((course = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *puzzles = g_build_filename (samples, course, "puzzles", NULL);
      g_autoptr(GDir) pdir = g_dir_open (puzzles, 0, NULL);
      const char *name;

      while (pdir != NULL && (name = g_dir_read_name (pdir)) != NULL)
        {
          g_autofree char *rel = g_build_filename (course, "puzzles", name, NULL);
          g_autoptr(SyPuzzle) puzzle = NULL;
          g_autoptr(SyPuzzle) unlimited = NULL;
          g_autoptr(GPtrArray) program = NULL;
          g_autoptr(GPtrArray) ignores = NULL;
          g_auto(SyRunResult) result = { 0 };
          g_auto(SyRunResult) refused = { 0 };
          g_auto(SyRunResult) unlimited_result = { 0 };
          guint k;

          if (!g_str_has_suffix (name, ".json"))
            continue;
          g_test_message ("sample puzzle %s", rel);
          puzzle = load_sample (rel);
          n_found++;

          for (k = 0; k < G_N_ELEMENTS (known_solutions); k++)
            if (g_str_equal (known_solutions[k].file, rel))
              break;
          if (k == G_N_ELEMENTS (known_solutions))
            g_error ("%s has no known solution: add one to known_solutions", rel);

          /* the solution */
          g_assert_true (uses_concept (known_solutions[k].solution, known_solutions[k].concept));
          program = parse (known_solutions[k].solution);
          g_assert_cmpuint (sy_program_count_blocks (program), ==, known_solutions[k].n_blocks);
          g_assert_cmpuint (sy_program_count_blocks (program), <=,
                            sy_puzzle_get_max_blocks (puzzle));
          g_assert_cmpint (sy_puzzle_run (puzzle, program, &result), ==, SY_RUN_SOLVED);
          g_assert_cmpuint (result.n_steps, ==, known_solutions[k].n_steps);
          g_assert_null (result.block);
          assert_trace_consistent (puzzle, &result);

          /* wrong programs, within the limit, fail for the reason given */
          for (guint w = 0; w < G_N_ELEMENTS (known_solutions[k].wrong); w++)
            {
              const Wrong *wrong = &known_solutions[k].wrong[w];
              g_autoptr(GPtrArray) wrong_program = parse (wrong->program);

              g_assert_cmpuint (sy_program_count_blocks (wrong_program), <=,
                                sy_puzzle_get_max_blocks (puzzle));
              assert_outcome (puzzle, wrong->program, wrong->outcome);
            }

          /* without the concept: too many blocks, though it would solve the puzzle */
          if (known_solutions[k].concept != CONCEPT_SEQUENCE)
            g_assert_false (uses_concept (known_solutions[k].ignores, known_solutions[k].concept));
          ignores = parse (known_solutions[k].ignores);
          g_assert_cmpuint (sy_program_count_blocks (ignores), >,
                            sy_puzzle_get_max_blocks (puzzle));
          g_assert_cmpint (sy_puzzle_run (puzzle, ignores, &refused), ==, SY_RUN_TOO_MANY_BLOCKS);
          g_assert_cmpuint (refused.n_steps, ==, 0);
          if (known_solutions[k].concept != CONCEPT_SEQUENCE)
            g_assert_cmpstr (sy_run_result_describe (&refused, puzzle), ==,
                             "Too many blocks: use a loop.");
          unlimited = load_sample_unlimited (rel, sy_puzzle_get_max_blocks (puzzle));
          g_assert_cmpint (sy_puzzle_run (unlimited, ignores, &unlimited_result), ==,
                           SY_RUN_SOLVED);
          assert_trace_consistent (unlimited, &unlimited_result);
        }
    }
  g_assert_cmpuint (n_found, ==, G_N_ELEMENTS (known_solutions));
}

/* The coding course's puzzles, in its order: each offers the block its concept
 * needs and none of a later lesson, the concepts come in the lessons' order, and each
 * puzzle has hints in both languages. */
static void
test_samples_progression (void)
{
  static const char * const langs[] = { "zh_CN", "en" };

  g_assert_cmpuint (G_N_ELEMENTS (known_solutions), >=, 12);
  for (guint k = 0; k < G_N_ELEMENTS (known_solutions); k++)
    {
      g_autoptr(SyPuzzle) puzzle = load_sample (known_solutions[k].file);
      GPtrArray *hints = sy_puzzle_get_hints (puzzle);
      SyBlockKind needed = known_solutions[k].concept == CONCEPT_IF ? SY_BLOCK_IF_WALL_AHEAD :
                           known_solutions[k].concept == CONCEPT_SEQUENCE ? SY_BLOCK_FORWARD :
                           SY_BLOCK_REPEAT;

      g_test_message ("%s", known_solutions[k].file);
      g_assert_true (sy_puzzle_allows_block (puzzle, needed));
      if (known_solutions[k].concept != CONCEPT_IF)
        g_assert_false (sy_puzzle_allows_block (puzzle, SY_BLOCK_IF_WALL_AHEAD));
      if (known_solutions[k].concept == CONCEPT_SEQUENCE)
        g_assert_false (sy_puzzle_allows_block (puzzle, SY_BLOCK_REPEAT));
      /* concepts come in order */
      g_assert_cmpint (k == 0 ? 0 : known_solutions[k - 1].concept, <=, known_solutions[k].concept);

      g_assert_cmpuint (hints->len, >=, 3);
      for (guint h = 0; h < hints->len; h++)
        for (guint l = 0; l < G_N_ELEMENTS (langs); l++)
          {
            const char *text = sy_text_lookup (g_ptr_array_index (hints, h), langs[l]);

            g_assert_nonnull (text);
            g_assert_cmpuint (strlen (text), >, 0);
          }
    }
}

static void
test_first_steps_fields (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/first-steps.json");
  static const char * const en[] = { "en", NULL };
  static const char * const zh[] = { "zh_CN", NULL };
  const SyBlockKind *blocks;
  guint n_blocks, n_walls = 0;
  SyDirection dir;
  int x, y;

  g_assert_cmpint (sy_puzzle_get_width (puzzle), ==, 4);
  g_assert_cmpint (sy_puzzle_get_height (puzzle), ==, 3);
  sy_puzzle_get_start (puzzle, &x, &y, &dir);
  g_assert_cmpint (x, ==, 0);
  g_assert_cmpint (y, ==, 2);
  g_assert_cmpint (dir, ==, E);
  sy_puzzle_get_goal (puzzle, &x, &y);
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 0);

  for (y = 0; y < 3; y++)
    for (x = 0; x < 4; x++)
      n_walls += sy_puzzle_is_wall (puzzle, x, y);
  g_assert_cmpuint (n_walls, ==, 4);
  g_assert_true (sy_puzzle_is_wall (puzzle, 0, 0));
  g_assert_true (sy_puzzle_is_wall (puzzle, 1, 0));
  g_assert_true (sy_puzzle_is_wall (puzzle, 1, 1));
  g_assert_true (sy_puzzle_is_wall (puzzle, 3, 1));
  g_assert_false (sy_puzzle_is_wall (puzzle, 2, 1));
  /* outside the grid is as good as a wall */
  g_assert_true (sy_puzzle_is_wall (puzzle, -1, 2));
  g_assert_true (sy_puzzle_is_wall (puzzle, 4, 2));
  g_assert_true (sy_puzzle_is_wall (puzzle, 0, 3));

  g_assert_cmpuint (sy_puzzle_get_n_collect_cells (puzzle), ==, 0);
  blocks = sy_puzzle_get_blocks (puzzle, &n_blocks);
  g_assert_cmpuint (n_blocks, ==, 3);
  g_assert_cmpint (blocks[0], ==, SY_BLOCK_FORWARD);
  g_assert_cmpint (blocks[1], ==, SY_BLOCK_LEFT);
  g_assert_cmpint (blocks[2], ==, SY_BLOCK_RIGHT);
  g_assert_false (sy_puzzle_allows_block (puzzle, SY_BLOCK_REPEAT));
  g_assert_false (sy_puzzle_allows_block (puzzle, SY_BLOCK_IF_WALL_AHEAD));
  g_assert_cmpuint (sy_puzzle_get_max_blocks (puzzle), ==, 6);

  g_assert_cmpuint (sy_puzzle_get_hints (puzzle)->len, ==, 3);
  g_assert_cmpstr (sy_text_get (g_ptr_array_index (sy_puzzle_get_hints (puzzle), 0), en), ==,
                   "First look at where the robot is facing. It faces right.");
  g_assert_cmpstr (sy_text_get (g_ptr_array_index (sy_puzzle_get_hints (puzzle), 2), zh), ==,
                   "左转，让机器人面朝上面，再往前走两格。");
}

static void
test_stairs_fields (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/stairs.json");
  int x, y;

  g_assert_cmpuint (sy_puzzle_get_n_collect_cells (puzzle), ==, 1);
  sy_puzzle_get_collect_cell (puzzle, 0, &x, &y);
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 2);
  g_assert_true (sy_puzzle_allows_block (puzzle, SY_BLOCK_REPEAT));
  g_assert_false (sy_puzzle_allows_block (puzzle, SY_BLOCK_IF_WALL_AHEAD));
  g_assert_cmpuint (sy_puzzle_get_max_blocks (puzzle), ==, 6);
  g_assert_true (sy_puzzle_is_wall (puzzle, 4, 2));
  g_assert_false (sy_puzzle_is_wall (puzzle, 2, 2));
}

/* The lesson's solution, step by step: north is up, turning left from east faces north. */
static void
test_first_steps_trace (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/first-steps.json");
  g_autoptr(GPtrArray) program = parse ("F F L F F");
  g_auto(SyRunResult) result = { 0 };
  static const Expected expected[] = {
    { 1, 2, E, 0, FWD }, { 2, 2, E, 0, FWD }, { 2, 2, N, 0, LEFT },
    { 2, 1, N, 0, FWD }, { 2, 0, N, 0, FWD },
  };

  g_assert_cmpint (sy_puzzle_run (puzzle, program, &result), ==, SY_RUN_SOLVED);
  assert_trace (&result, expected, G_N_ELEMENTS (expected));
  /* each state names the block that made it */
  for (guint i = 0; i < result.trace->len; i++)
    g_assert_true (g_array_index (result.trace, SyRunState, i).block ==
                   g_ptr_array_index (program, i));
  g_assert_cmpstr (sy_run_outcome_describe (result.outcome), ==,
                   "Well done! The robot reached the flag.");
}

static void
test_first_steps_wrong (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/first-steps.json");

  /* one forward too many before the turn: the turn then faces the wall at [3, 1] */
  assert_run (puzzle, "F F F L F F", SY_RUN_HIT_WALL, 5, 3, 2);
  /* off the right edge */
  assert_run (puzzle, "F F F F", SY_RUN_HIT_WALL, 4, 3, 2);
  /* turning too early, into the wall at [1, 1] */
  assert_run (puzzle, "F L F", SY_RUN_HIT_WALL, 3, 1, 2);
  /* one forward too few */
  assert_run (puzzle, "F F L F", SY_RUN_STOPPED_SHORT, 4, 2, 1);
  assert_run (puzzle, "", SY_RUN_STOPPED_SHORT, 0, 0, 2);
  /* turning the wrong way, off the bottom edge */
  assert_run (puzzle, "F F R F F", SY_RUN_HIT_WALL, 4, 2, 2);
  /* a forward too many after the flag never runs: the flag ends the run */
  assert_run (puzzle, "F F L F F F", SY_RUN_SOLVED, 5, 2, 0);
  assert_run (puzzle, "F F L F F R", SY_RUN_SOLVED, 5, 2, 0);
  /* seven blocks, and the limit is six: nothing runs */
  assert_run (puzzle, "L R F F L F F", SY_RUN_TOO_MANY_BLOCKS, 0, 0, 2);
  /* a loop in a puzzle without loops */
  assert_run (puzzle, "R2{F} L R2{F}", SY_RUN_BLOCK_NOT_ALLOWED, 0, 0, 2);
}

static void
test_stairs_wrong (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/stairs.json");

  /* one round too few: on the third stair, star collected */
  assert_run (puzzle, "R3{F L F R}", SY_RUN_STOPPED_SHORT, 12, 3, 1);
  /* a forward too many at the start runs into the stairs at [2, 4] */
  assert_run (puzzle, "F R4{F L F R}", SY_RUN_HIT_WALL, 2, 1, 4);
  /* the right blocks in the wrong order: right turns lead off the grid */
  assert_run (puzzle, "R4{F R F L}", SY_RUN_HIT_WALL, 3, 1, 4);
  /* more rounds than needed: the flag ends the run in the fourth */
  assert_run (puzzle, "R6{F L F R}", SY_RUN_SOLVED, 15, 4, 0);
  /* if-wall-ahead is not one of this puzzle's blocks, even where it would never run */
  assert_run (puzzle, "R4{F L F R} W{L}", SY_RUN_BLOCK_NOT_ALLOWED, 0, 0, 4);
}

/* The lesson's 12-block program without a loop is right, but over the limit of 6. */
static void
test_stairs_too_many_blocks (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/stairs.json");
  g_autofree char *path = sample_path ("coding-for-kids/puzzles/stairs.json");
  g_autofree char *json = NULL;
  g_autoptr(GString) relaxed = NULL;
  g_autoptr(SyPuzzle) twelve = NULL;
  g_autoptr(GPtrArray) program = parse ("L F F R F F L F F R F F");
  g_auto(SyRunResult) result = { 0 };
  g_auto(SyRunResult) result12 = { 0 };

  g_assert_cmpuint (sy_program_count_blocks (program), ==, 12);
  g_assert_cmpint (sy_puzzle_run (puzzle, program, &result), ==, SY_RUN_TOO_MANY_BLOCKS);
  g_assert_cmpuint (result.n_steps, ==, 0);
  g_assert_cmpuint (result.trace->len, ==, 0);
  g_assert_null (result.block);
  g_assert_cmpstr (sy_run_result_describe (&result, puzzle), ==, "Too many blocks: use a loop.");

  /* with a limit of 12 the same program solves it: the limit alone failed it */
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  relaxed = g_string_new (json);
  g_assert_cmpuint (g_string_replace (relaxed, "\"max_blocks\": 6", "\"max_blocks\": 12", 0),
                    ==, 1);
  twelve = puzzle_from (relaxed->str);
  g_assert_cmpint (sy_puzzle_run (twelve, program, &result12), ==, SY_RUN_SOLVED);
  g_assert_cmpuint (result12.n_steps, ==, 12);
  assert_trace_consistent (twelve, &result12);
}

static void
test_not_allowed (void)
{
  g_autoptr(SyPuzzle) stairs = load_sample ("coding-for-kids/puzzles/stairs.json");
  g_autoptr(SyPuzzle) only_forward = puzzle_from (
    "{\"width\": 3, \"height\": 2, \"start\": {\"x\": 0, \"y\": 0, \"dir\": \"east\"},"
    " \"goal\": {\"x\": 2, \"y\": 0}, \"blocks\": [\"forward\"], \"max_blocks\": 3}");
  g_autoptr(GPtrArray) program = parse ("R4{F L F W{L}{F}}");
  g_autoptr(GPtrArray) turn = parse ("F R F");
  g_auto(SyRunResult) result = { 0 };
  g_auto(SyRunResult) result2 = { 0 };
  SyBlock *repeat = g_ptr_array_index (program, 0);

  g_assert_cmpint (sy_puzzle_run (stairs, program, &result), ==, SY_RUN_BLOCK_NOT_ALLOWED);
  g_assert_cmpuint (result.n_steps, ==, 0);
  /* the block at fault, for the editor to point at */
  g_assert_true (result.block == g_ptr_array_index (repeat->body, 3));
  g_assert_cmpstr (sy_run_result_describe (&result, stairs), ==,
                   "You cannot use that block in this puzzle.");

  assert_run (only_forward, "F F", SY_RUN_SOLVED, 2, 2, 0);
  g_assert_cmpint (sy_puzzle_run (only_forward, turn, &result2), ==, SY_RUN_BLOCK_NOT_ALLOWED);
  g_assert_true (result2.block == g_ptr_array_index (turn, 1));
}

/* ---- the step bound ---- */

static void
test_too_many_steps (void)
{
  g_autoptr(SyPuzzle) stairs = load_sample ("coding-for-kids/puzzles/stairs.json");
  g_autoptr(SyPuzzle) maze = puzzle_from (maze_json);
  g_autoptr(GPtrArray) deep = parse ("R20{R20{R20{R20{L R}}}}");
  g_autoptr(GPtrArray) exact = parse ("R10{R20{R5{L}}}");
  g_autoptr(GPtrArray) over = parse ("R10{R20{R5{L}}} L");
  g_autoptr(GPtrArray) idle = parse ("R20{R20{R20{R20{}}}}");
  g_auto(SyRunResult) result = { 0 };
  gint64 started;

  /* 320,000 turns asked for: the run stops at the bound, at once */
  started = g_get_monotonic_time ();
  g_assert_cmpint (sy_puzzle_run (stairs, deep, &result), ==, SY_RUN_TOO_MANY_STEPS);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpuint (result.n_steps, ==, SY_RUN_MAX_STEPS);
  assert_trace_consistent (stairs, &result);
  g_assert_nonnull (result.block);
  /* the step that would have been the 1001st: an L, as the steps alternate from L */
  g_assert_cmpint (result.block->kind, ==, SY_BLOCK_LEFT);
  g_assert_cmpstr (sy_run_outcome_describe (result.outcome), ==,
                   "The program ran too long. Does a loop repeat too many times?");
  sy_run_result_clear (&result);

  /* exactly the bound is allowed; one more step is not */
  g_assert_cmpint (sy_puzzle_run (stairs, exact, &result), ==, SY_RUN_STOPPED_SHORT);
  g_assert_cmpuint (result.n_steps, ==, SY_RUN_MAX_STEPS);
  sy_run_result_clear (&result);
  g_assert_cmpint (sy_puzzle_run (stairs, over, &result), ==, SY_RUN_TOO_MANY_STEPS);
  g_assert_cmpuint (result.n_steps, ==, SY_RUN_MAX_STEPS);
  g_assert_true (result.block == g_ptr_array_index (over, 1));
  sy_run_result_clear (&result);

  /* loops that never take a step still end */
  started = g_get_monotonic_time ();
  g_assert_cmpint (sy_puzzle_run (maze, idle, &result), ==, SY_RUN_TOO_MANY_STEPS);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpuint (result.n_steps, ==, 0);
}

/* ---- items ---- */

static void
test_collect (void)
{
  g_autoptr(SyPuzzle) stairs = load_sample ("coding-for-kids/puzzles/stairs.json");
  /* items on the start and the goal */
  g_autoptr(SyPuzzle) ends = puzzle_from (
    "{\"width\": 3, \"height\": 2, \"start\": {\"x\": 0, \"y\": 0, \"dir\": \"east\"},"
    " \"goal\": {\"x\": 2, \"y\": 0}, \"collect\": [[0, 0], [2, 0]],"
    " \"blocks\": [\"forward\"], \"max_blocks\": 3}");
  /* an item past the goal: the robot walks over the flag, fetches it, comes back */
  g_autoptr(SyPuzzle) past = puzzle_from (
    "{\"width\": 3, \"height\": 2, \"start\": {\"x\": 0, \"y\": 0, \"dir\": \"east\"},"
    " \"goal\": {\"x\": 1, \"y\": 0}, \"collect\": [[2, 0], [2, 0]],"
    " \"blocks\": [\"forward\", \"left\"], \"max_blocks\": 9}");
  g_autoptr(GPtrArray) program = parse ("L R4{F} R R4{F}");
  g_autoptr(GPtrArray) fetch = parse ("F F L L F");
  g_auto(SyRunResult) result = { 0 };
  g_auto(SyRunResult) result2 = { 0 };
  static const Expected expected[] = {
    { 1, 0, E, 0, FWD }, { 2, 0, E, 1, FWD }, { 2, 0, N, 1, LEFT }, { 2, 0, W, 1, LEFT },
    { 1, 0, W, 1, FWD },
  };
  int x, y;

  /* straight up and along the top: on the flag, but the star is left behind */
  g_assert_cmpuint (sy_program_count_blocks (program), ==, 6);
  g_assert_cmpint (sy_puzzle_run (stairs, program, &result), ==, SY_RUN_STOPPED_SHORT);
  g_assert_cmpuint (result.n_steps, ==, 10);
  g_assert_cmpint (result.end.x, ==, 4);
  g_assert_cmpint (result.end.y, ==, 0);
  g_assert_cmpuint (result.end.collected, ==, 0);
  assert_trace_consistent (stairs, &result);
  g_assert_cmpstr (sy_run_result_describe (&result, stairs), ==,
                   "The robot reached the flag, but it did not pick up everything.");

  /* the start's item is picked up before the first step */
  assert_run (ends, "F", SY_RUN_STOPPED_SHORT, 1, 1, 0);
  assert_run (ends, "F F", SY_RUN_SOLVED, 2, 2, 0);

  /* a listed-twice item is one item; passing the flag with items left does not end */
  g_assert_cmpuint (sy_puzzle_get_n_collect_cells (past), ==, 1);
  sy_puzzle_get_collect_cell (past, 0, &x, &y);
  g_assert_cmpint (x, ==, 2);
  g_assert_cmpint (y, ==, 0);
  g_assert_cmpint (sy_puzzle_run (past, fetch, &result2), ==, SY_RUN_SOLVED);
  assert_trace (&result2, expected, G_N_ELEMENTS (expected));
  assert_trace_consistent (past, &result2);
}

/* Every start direction, and a step each way: north is y − 1, east x + 1. */
static void
test_directions (void)
{
  static const struct
  {
    const char  *name;
    SyDirection  dir;
    int          x;        /* after one forward from [1, 1] */
    int          y;
    SyDirection  left;     /* after one left turn */
  } cases[] = {
    { "north", N, 1, 0, W },
    { "east", E, 2, 1, N },
    { "south", S, 1, 2, E },
    { "west", W, 0, 1, S },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"width\": 3, \"height\": 3, \"start\": {\"x\": 1, \"y\": 1, \"dir\": \"%s\"},"
        " \"goal\": {\"x\": 2, \"y\": 2}, \"blocks\": [\"forward\", \"left\"],"
        " \"max_blocks\": 2}", cases[i].name);
      g_autoptr(SyPuzzle) puzzle = puzzle_from (json);
      g_autoptr(GPtrArray) forward = parse ("F");
      g_autoptr(GPtrArray) left = parse ("L");
      g_auto(SyRunResult) result = { 0 };
      g_auto(SyRunResult) result2 = { 0 };
      SyDirection dir;

      sy_puzzle_get_start (puzzle, NULL, NULL, &dir);
      g_assert_cmpint (dir, ==, cases[i].dir);
      g_assert_cmpint (sy_puzzle_run (puzzle, forward, &result), ==, SY_RUN_STOPPED_SHORT);
      g_assert_cmpint (result.end.x, ==, cases[i].x);
      g_assert_cmpint (result.end.y, ==, cases[i].y);
      g_assert_cmpint (result.end.dir, ==, cases[i].dir);
      g_assert_cmpint (sy_puzzle_run (puzzle, left, &result2), ==, SY_RUN_STOPPED_SHORT);
      g_assert_cmpint (result2.end.dir, ==, cases[i].left);
    }
}

static void
test_start_on_goal (void)
{
  g_autoptr(SyPuzzle) puzzle = puzzle_from (
    "{\"width\": 2, \"height\": 2, \"start\": {\"x\": 1, \"y\": 1, \"dir\": \"north\"},"
    " \"goal\": {\"x\": 1, \"y\": 1}, \"blocks\": [\"forward\"], \"max_blocks\": 1}");

  assert_run (puzzle, "", SY_RUN_SOLVED, 0, 1, 1);
  assert_run (puzzle, "F", SY_RUN_SOLVED, 0, 1, 1);
  /* the static checks still come first */
  assert_run (puzzle, "F F", SY_RUN_TOO_MANY_BLOCKS, 0, 1, 1);
}

/* ---- if-wall-ahead ---- */

static void
test_if_wall_ahead (void)
{
  g_autoptr(SyPuzzle) maze = puzzle_from (maze_json);
  g_autoptr(GPtrArray) left = parse ("R20{W{L}{F}}");
  g_autoptr(GPtrArray) right = parse ("R20{W{R}{F}}");
  g_auto(SyRunResult) result = { 0 };
  g_auto(SyRunResult) result2 = { 0 };
  static const Expected expected_left[] = {
    { 1, 3, E, 0, FWD }, { 2, 3, E, 0, FWD }, { 2, 3, N, 0, LEFT },
    { 2, 2, N, 0, FWD }, { 2, 1, N, 0, FWD }, { 2, 1, W, 0, LEFT },
    { 1, 1, W, 0, FWD }, { 0, 1, W, 0, FWD },
  };
  /* turning right at walls and edges goes round the other way */
  static const Expected expected_right[] = {
    { 1, 3, E, 0, FWD }, { 2, 3, E, 0, FWD }, { 2, 3, S, 0, RIGHT }, { 2, 3, W, 0, RIGHT },
    { 1, 3, W, 0, FWD }, { 0, 3, W, 0, FWD }, { 0, 3, N, 0, RIGHT },
    { 0, 2, N, 0, FWD }, { 0, 1, N, 0, FWD },
  };
  SyBlock *cond;

  g_assert_cmpuint (sy_program_count_blocks (left), ==, 4);
  g_assert_cmpint (sy_puzzle_run (maze, left, &result), ==, SY_RUN_SOLVED);
  assert_trace (&result, expected_left, G_N_ELEMENTS (expected_left));
  assert_trace_consistent (maze, &result);
  /* turns come from the then body, steps from the else body */
  cond = g_ptr_array_index (((SyBlock *) g_ptr_array_index (left, 0))->body, 0);
  g_assert_true (g_array_index (result.trace, SyRunState, 2).block ==
                 g_ptr_array_index (cond->body, 0));
  g_assert_true (g_array_index (result.trace, SyRunState, 3).block ==
                 g_ptr_array_index (cond->else_body, 0));

  g_assert_cmpint (sy_puzzle_run (maze, right, &result2), ==, SY_RUN_SOLVED);
  assert_trace (&result2, expected_right, G_N_ELEMENTS (expected_right));
  assert_trace_consistent (maze, &result2);

  /* the way is free: no else, nothing happens */
  assert_run (maze, "W{L}", SY_RUN_STOPPED_SHORT, 0, 0, 3);
  assert_run (maze, "W{L}{R}", SY_RUN_STOPPED_SHORT, 1, 0, 3);
  /* a wall cell ahead */
  assert_run (maze, "F F W{L}", SY_RUN_STOPPED_SHORT, 3, 2, 3);
  assert_run (maze, "F F W{F}", SY_RUN_HIT_WALL, 3, 2, 3);
  /* the edge ahead */
  assert_run (maze, "L L W{R}{F}", SY_RUN_STOPPED_SHORT, 3, 0, 3);
  /* the way is free: the else body runs into the wall at [3, 3] */
  assert_run (maze, "F W{L}{F F}", SY_RUN_HIT_WALL, 3, 2, 3);
}

/* ---- results ---- */

static void
test_describe (void)
{
  g_autoptr(SyPuzzle) first = load_sample ("coding-for-kids/puzzles/first-steps.json");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  static const struct
  {
    const char   *program;
    SyRunOutcome  outcome;
    const char   *sentence;
  } cases[] = {
    { "F F L F F", SY_RUN_SOLVED, "Well done! The robot reached the flag." },
    { "F F F L F", SY_RUN_HIT_WALL, "The robot bumped into a wall." },
    { "F F F F", SY_RUN_HIT_WALL, "The robot tried to walk off the grid." },
    { "F", SY_RUN_STOPPED_SHORT, "The robot stopped before the flag." },
    /* no loop in this puzzle, so no advice to use one */
    { "F F F F F F F", SY_RUN_TOO_MANY_BLOCKS, "Too many blocks: find a shorter way." },
  };

  for (SyRunOutcome o = SY_RUN_SOLVED; o <= SY_RUN_TOO_MANY_STEPS; o++)
    {
      const char *s = sy_run_outcome_describe (o);

      g_assert_nonnull (s);
      g_assert_cmpuint (strlen (s), >, 0);
      g_assert_false (g_hash_table_contains (seen, s));
      g_hash_table_add (seen, (gpointer) s);
    }
  g_assert_cmpstr (sy_run_outcome_describe (SY_RUN_HIT_WALL), ==,
                   "The robot bumped into a wall.");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) program = parse (cases[i].program);
      g_auto(SyRunResult) result = { 0 };

      g_assert_cmpint (sy_puzzle_run (first, program, &result), ==, cases[i].outcome);
      g_assert_cmpstr (sy_run_result_describe (&result, first), ==, cases[i].sentence);
    }
}

static void
test_result_clear (void)
{
  g_autoptr(SyPuzzle) puzzle = load_sample ("coding-for-kids/puzzles/first-steps.json");
  g_autoptr(GPtrArray) program = parse ("F F");
  SyRunResult result = { 0 };

  /* a zeroed result may be cleared; a cleared one run again */
  sy_run_result_clear (&result);
  sy_puzzle_run (puzzle, program, &result);
  g_assert_cmpuint (result.n_steps, ==, 2);
  sy_run_result_clear (&result);
  g_assert_null (result.trace);
  g_assert_cmpuint (result.n_steps, ==, 0);
  sy_puzzle_run (puzzle, program, &result);
  sy_run_result_clear (&result);
  sy_run_result_clear (&result);
}

/* ---- the text form ---- */

static void
test_round_trip (void)
{
  static const struct
  {
    const char *text;
    guint       n_blocks;
  } cases[] = {
    { "", 0 },
    { "F", 1 },
    { "F F L F F", 5 },
    { "R", 1 },
    { "R R L", 3 },
    { "R4{F L F R}", 5 },
    { "R20{F}", 2 },
    { "R2{}", 1 },
    { "W{L}", 2 },
    { "W{L}{F}", 3 },
    { "W{}{}", 1 },
    { "W{}{F}", 2 },
    { "R20{W{L}{R2{F R}}}", 6 },
    { "R2{R2{R2{R2{F}}}}", 5 },
    { "W{W{W{W{L}{R}}}} F", 7 },
    { "F R3{L W{F}{R F}} R1{R}", 9 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) program = parse (cases[i].text);
      g_autoptr(GPtrArray) again = NULL;
      g_autofree char *text = sy_program_to_string (program);
      g_autofree char *text2 = NULL;

      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpuint (sy_program_count_blocks (program), ==, cases[i].n_blocks);
      g_assert_true (sy_program_validate (program, NULL));
      again = parse (text);
      text2 = sy_program_to_string (again);
      g_assert_cmpstr (text2, ==, cases[i].text);
    }
}

static void
test_program_shape (void)
{
  g_autoptr(GPtrArray) program = parse ("R4{F L} W{R}{F F} W{L} R");
  SyBlock *b;

  g_assert_cmpuint (program->len, ==, 4);
  b = g_ptr_array_index (program, 0);
  g_assert_cmpint (b->kind, ==, SY_BLOCK_REPEAT);
  g_assert_cmpuint (b->count, ==, 4);
  g_assert_cmpuint (b->body->len, ==, 2);
  g_assert_cmpint (((SyBlock *) g_ptr_array_index (b->body, 0))->kind, ==, SY_BLOCK_FORWARD);
  g_assert_cmpint (((SyBlock *) g_ptr_array_index (b->body, 1))->kind, ==, SY_BLOCK_LEFT);
  g_assert_null (b->else_body);
  b = g_ptr_array_index (program, 1);
  g_assert_cmpint (b->kind, ==, SY_BLOCK_IF_WALL_AHEAD);
  g_assert_cmpuint (b->body->len, ==, 1);
  g_assert_cmpuint (b->else_body->len, ==, 2);
  b = g_ptr_array_index (program, 2);
  g_assert_cmpint (b->kind, ==, SY_BLOCK_IF_WALL_AHEAD);
  g_assert_null (b->else_body);
  b = g_ptr_array_index (program, 3);
  g_assert_cmpint (b->kind, ==, SY_BLOCK_RIGHT);
  g_assert_null (b->body);
}

/* Other spacing reads the same and writes the canonical form. */
static void
test_normalize (void)
{
  static const char * const cases[][2] = {
    { "  F\tF\nL  ", "F F L" },
    { "FFLFF", "F F L F F" },
    { "R4{ F  L }", "R4{F L}" },
    { "R4{F}R", "R4{F} R" },
    { "RR4{F}", "R R4{F}" },
    { "W{L} {F}", "W{L}{F}" },
    { "W{ }", "W{}" },
    { "R04{F}", "R4{F}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) program = parse (cases[i][0]);
      g_autofree char *text = sy_program_to_string (program);

      g_assert_cmpstr (text, ==, cases[i][1]);
    }
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *text;
    const char *message;   /* a part of the error message */
  } cases[] = {
    { "R{F", "character 1: a repeat needs a count from 1 to 20" },
    { "R0{F}", "character 1: a repeat needs a count from 1 to 20" },
    { "R21{F}", "a repeat needs a count" },
    { "F R99999999999999999999{F}", "character 3: a repeat needs a count" },
    { "X", "character 1: “X” is not a block" },
    { "F F x", "character 5: “x” is not a block" },
    { "f", "“f” is not a block" },
    { "F 前", "character 3: “前” is not a block" },
    { "R-1{F}", "“-” is not a block" },
    { "R4{F", "character 3: this “{” has no “}”" },
    { "R2{R2{F}", "character 3: this “{” has no “}”" },
    { "W{L}{F", "character 5: this “{” has no “}”" },
    { "F}", "character 2: this “}” has no “{”" },
    { "R4{F}}", "character 6: this “}” has no “{”" },
    { "{F}", "“{” is not a block" },
    { "R4F", "character 3: “{” is missing: write a repeat" },
    { "R4", "“{” is missing: write a repeat" },
    { "R4 {F}", "“{” is missing: write a repeat" },
    { "W", "“{” is missing: write “if wall ahead”" },
    { "W F", "character 2: “{” is missing" },
    { "R2{R2{R2{R2{R2{F}}}}}", "character 13: at most 4 repeat and if blocks" },
    { "W{W{W{W{W{}}}}}", "at most 4 repeat and if blocks" },
    { "W{}{R2{R2{R2{R2{F}}}}}", "at most 4 repeat and if blocks" },
    { "F\xff", "not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) program = NULL;
      g_autofree char *shown = g_utf8_make_valid (cases[i].text, -1);

      g_test_message ("parsing “%s”", shown);
      program = sy_program_parse (cases[i].text, &error);
      g_assert_null (program);
      g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: expected “%s” in: %s", cases[i].text, cases[i].message, error->message);
    }
}

/* ---- programs built block by block ---- */

static void
test_validate (void)
{
  g_autoptr(SyPuzzle) maze = puzzle_from (maze_json);
  g_autoptr(GPtrArray) program = sy_program_new ();
  g_autoptr(GError) error = NULL;
  g_auto(SyRunResult) result = { 0 };
  SyBlock *repeat, *inner;
  GPtrArray *body;

  /* four levels deep is fine */
  body = program;
  for (guint i = 0; i < SY_PROGRAM_MAX_DEPTH; i++)
    {
      inner = sy_block_new_repeat (2);
      g_ptr_array_add (body, inner);
      body = inner->body;
    }
  g_ptr_array_add (body, sy_block_new (SY_BLOCK_LEFT));
  g_assert_true (sy_program_validate (program, &error));
  g_assert_no_error (error);
  assert_run (maze, "R2{R2{R2{R2{L}}}}", SY_RUN_STOPPED_SHORT, 16, 0, 3);
  g_assert_cmpint (sy_puzzle_run (maze, program, &result), ==, SY_RUN_STOPPED_SHORT);
  g_assert_cmpuint (result.n_steps, ==, 16);
  sy_run_result_clear (&result);

  /* a fifth level is refused, and never run */
  inner = sy_block_new (SY_BLOCK_IF_WALL_AHEAD);
  g_ptr_array_add (body, inner);
  g_assert_false (sy_program_validate (program, &error));
  g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM);
  g_clear_error (&error);
  g_assert_cmpint (sy_puzzle_run (maze, program, &result), ==, SY_RUN_BLOCK_NOT_ALLOWED);
  g_assert_true (result.block == inner);
  g_assert_cmpuint (result.n_steps, ==, 0);
  sy_run_result_clear (&result);
  g_ptr_array_set_size (body, 1);

  /* repeat counts out of range */
  repeat = g_ptr_array_index (program, 0);
  for (guint count = 0; count <= SY_PROGRAM_MAX_REPEAT + 1; count += SY_PROGRAM_MAX_REPEAT + 1)
    {
      repeat->count = count;
      g_assert_false (sy_program_validate (program, &error));
      g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM);
      g_assert_nonnull (strstr (error->message, "a repeat needs a count from 1 to 20"));
      g_clear_error (&error);
      g_assert_cmpint (sy_puzzle_run (maze, program, &result), ==, SY_RUN_BLOCK_NOT_ALLOWED);
      g_assert_true (result.block == repeat);
      sy_run_result_clear (&result);
    }
  repeat->count = SY_PROGRAM_MAX_REPEAT;
  g_assert_true (sy_program_validate (program, NULL));

  /* a step with a body */
  inner = g_ptr_array_index (body, 0);
  inner->body = sy_program_new ();
  g_assert_false (sy_program_validate (program, &error));
  g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PROGRAM);
  g_clear_error (&error);
  g_clear_pointer (&inner->body, g_ptr_array_unref);
  g_assert_true (sy_program_validate (program, NULL));
}

/* A tree far deeper than any program is refused without walking all of it. */
static void
test_validate_very_deep (void)
{
  g_autoptr(SyPuzzle) maze = puzzle_from (maze_json);
  g_autoptr(GPtrArray) program = sy_program_new ();
  g_auto(SyRunResult) result = { 0 };
  GPtrArray *body = program;

  for (guint i = 0; i < 2000; i++)
    {
      SyBlock *inner = sy_block_new_repeat (20);

      g_ptr_array_add (body, inner);
      body = inner->body;
    }
  g_assert_false (sy_program_validate (program, NULL));
  g_assert_cmpint (sy_puzzle_run (maze, program, &result), ==, SY_RUN_BLOCK_NOT_ALLOWED);
  g_assert_cmpuint (result.n_steps, ==, 0);
}

static void
test_block_copy (void)
{
  g_autoptr(GPtrArray) program = parse ("R3{F W{L}{R2{F}}}");
  g_autoptr(SyBlock) copy = sy_block_copy (g_ptr_array_index (program, 0));
  g_autoptr(GPtrArray) alone = sy_program_new ();
  g_autofree char *text = NULL;
  g_autofree char *original = NULL;
  SyBlock *boxed;

  g_ptr_array_add (alone, g_steal_pointer (&copy));
  text = sy_program_to_string (alone);
  g_assert_cmpstr (text, ==, "R3{F W{L}{R2{F}}}");

  /* deep: changing the copy leaves the original alone */
  ((SyBlock *) g_ptr_array_index (alone, 0))->count = 5;
  g_ptr_array_set_size (((SyBlock *) g_ptr_array_index (alone, 0))->body, 1);
  original = sy_program_to_string (program);
  g_assert_cmpstr (original, ==, "R3{F W{L}{R2{F}}}");

  g_assert_true (G_TYPE_IS_BOXED (SY_TYPE_BLOCK));
  boxed = g_boxed_copy (SY_TYPE_BLOCK, g_ptr_array_index (program, 0));
  g_assert_cmpuint (boxed->count, ==, 3);
  g_boxed_free (SY_TYPE_BLOCK, boxed);

  {
    g_autoptr(SyBlock) repeat = sy_block_new (SY_BLOCK_REPEAT);
    g_autoptr(SyBlock) cond = sy_block_new (SY_BLOCK_IF_WALL_AHEAD);
    g_autoptr(SyBlock) step = sy_block_new (SY_BLOCK_FORWARD);

    g_assert_cmpuint (repeat->count, ==, 1);
    g_assert_cmpuint (repeat->body->len, ==, 0);
    g_assert_cmpuint (cond->body->len, ==, 0);
    g_assert_null (cond->else_body);
    g_assert_null (step->body);
  }
}

/* ---- reading puzzle files ---- */

#define BASE_START "\"start\": {\"x\": 0, \"y\": 0, \"dir\": \"east\"}"
#define BASE_GOAL  "\"goal\": {\"x\": 2, \"y\": 1}"
#define BASE_REST  "\"blocks\": [\"forward\"], \"max_blocks\": 4"
#define BASE_SIZE  "\"width\": 3, \"height\": 2"

static void
test_load_errors (void)
{
  static const struct
  {
    const char *json;
    const char *message;   /* a part of the error message, after "test.json: " */
  } cases[] = {
    { "{\"width\": 3", "line 1: the JSON is malformed" },
    { "{}\n{}", "unexpected text after the end" },
    { "[1, 2]", "the file should hold one JSON object" },
    { "{" BASE_START ", " BASE_GOAL ", " BASE_REST "}", "width: this field is required" },
    { "{\"width\": 1, \"height\": 2, " BASE_START ", " BASE_GOAL ", " BASE_REST "}",
      "width: 1 is out of range: use a number from 2 to 16" },
    { "{\"width\": 17, \"height\": 2, " BASE_START ", " BASE_GOAL ", " BASE_REST "}",
      "width: 17 is out of range" },
    { "{\"width\": 2.5, \"height\": 2, " BASE_START ", " BASE_GOAL ", " BASE_REST "}",
      "width: this should be a whole number." },
    { "{\"width\": \"3\", \"height\": 2, " BASE_START ", " BASE_GOAL ", " BASE_REST "}",
      "width: this field has the wrong type" },
    { "{" BASE_SIZE ", " BASE_GOAL ", " BASE_REST "}", "start: this field is required" },
    { "{" BASE_SIZE ", \"start\": {\"x\": 3, \"y\": 0, \"dir\": \"east\"}, " BASE_GOAL ", "
      BASE_REST "}", "start.x: 3 is out of range: use a number from 0 to 2" },
    { "{" BASE_SIZE ", \"start\": {\"x\": 0, \"y\": 0}, " BASE_GOAL ", " BASE_REST "}",
      "start.dir: this field is required" },
    { "{" BASE_SIZE ", \"start\": {\"x\": 0, \"y\": 0, \"dir\": \"up\"}, " BASE_GOAL ", "
      BASE_REST "}", "start.dir: use north, east, south or west." },
    { "{" BASE_SIZE ", " BASE_START ", \"goal\": {\"x\": 0, \"y\": 2}, " BASE_REST "}",
      "goal.y: 2 is out of range" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": [[0, 0]], " BASE_REST "}",
      "walls[0]: a wall cannot stand on the start or the goal." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": [[1, 0], [2, 1]], "
      BASE_REST "}", "walls[1]: a wall cannot stand on the start or the goal." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": [[3, 0]], " BASE_REST "}",
      "walls[0]: the cell [3, 0] is outside the 3 × 2 grid." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": [[1]], " BASE_REST "}",
      "walls[0]: a cell is written [x, y]." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": {}, " BASE_REST "}",
      "walls: this field has the wrong type" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"collect\": [[1, -1]], " BASE_REST "}",
      "collect[0]: the cell [1, -1] is outside the 3 × 2 grid." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"walls\": [[1, 1]], "
      "\"collect\": [[1, 1]], " BASE_REST "}", "collect[0]: an item cannot stand on a wall" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"blocks\": [], \"max_blocks\": 4}",
      "blocks: allow at least one block." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"blocks\": [\"forward\", \"jump\"], "
      "\"max_blocks\": 4}", "blocks[1]: use forward, left, right, repeat or if-wall-ahead." },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"blocks\": [\"forward\"], "
      "\"max_blocks\": 0}", "max_blocks: 0 is out of range: use a number from 1 to 100" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"blocks\": [\"forward\"]}",
      "max_blocks: this field is required" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", " BASE_REST ", \"hints\": [\"a\", 3]}",
      "hints[1]: this should be a text" },
    { "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", " BASE_REST ", \"hints\": [{\"en\": 1}]}",
      "hints[0]: this should be a text" },
    { "{\"width\": 3, \"height\": 2, \"x\": \"\xff\"}", "not valid UTF-8 (at byte 32)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SyPuzzle) puzzle = NULL;
      g_autofree char *shown = g_utf8_make_valid (cases[i].json, -1);

      g_test_message ("%s", shown);
      puzzle = sy_puzzle_new_from_data (cases[i].json, -1, "test.json", &error);
      g_assert_null (puzzle);
      g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, "test.json: "));
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("expected “%s” in: %s", cases[i].message, error->message);
    }
}

static void
test_load_minimal (void)
{
  /* no walls, items or hints; unknown fields are the package checker's business */
  g_autoptr(SyPuzzle) puzzle = puzzle_from (
    "{" BASE_SIZE ", " BASE_START ", " BASE_GOAL ", \"blocks\": [\"left\", \"forward\", "
    "\"left\"], \"max_blocks\": 4, \"x-author\": \"me\"}");
  g_autoptr(SyPuzzle) ref = NULL;
  const SyBlockKind *blocks;
  guint n_blocks;

  g_assert_cmpuint (sy_puzzle_get_n_collect_cells (puzzle), ==, 0);
  g_assert_cmpuint (sy_puzzle_get_hints (puzzle)->len, ==, 0);
  blocks = sy_puzzle_get_blocks (puzzle, &n_blocks);
  g_assert_cmpuint (n_blocks, ==, 2);
  g_assert_cmpint (blocks[0], ==, SY_BLOCK_LEFT);
  g_assert_cmpint (blocks[1], ==, SY_BLOCK_FORWARD);

  ref = sy_puzzle_ref (puzzle);
  g_assert_true (ref == puzzle);
  g_assert_true (G_TYPE_IS_BOXED (SY_TYPE_PUZZLE));
}

static void
test_load_file_errors (void)
{
  g_autofree char *dir = test_make_temp_dir ("shuyuan-puzzle-XXXXXX");
  g_autofree char *missing = g_build_filename (dir, "missing.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SyPuzzle) puzzle = NULL;

  puzzle = sy_puzzle_load (missing, &error);
  g_assert_null (puzzle);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  test_write_file (dir, "bad.json", "{\"width\": 3}");
  puzzle = sy_puzzle_load (bad, &error);
  g_assert_null (puzzle);
  g_assert_error (error, SY_PUZZLE_ERROR, SY_PUZZLE_ERROR_PARSE);
  /* the message names the file */
  g_assert_nonnull (strstr (error->message, "bad.json: height: this field is required"));

  g_assert_cmpint (g_remove (bad), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/puzzle/samples/solved", test_samples_solved);
  g_test_add_func ("/puzzle/samples/progression", test_samples_progression);
  g_test_add_func ("/puzzle/samples/first-steps/fields", test_first_steps_fields);
  g_test_add_func ("/puzzle/samples/first-steps/trace", test_first_steps_trace);
  g_test_add_func ("/puzzle/samples/first-steps/wrong", test_first_steps_wrong);
  g_test_add_func ("/puzzle/samples/stairs/fields", test_stairs_fields);
  g_test_add_func ("/puzzle/samples/stairs/wrong", test_stairs_wrong);
  g_test_add_func ("/puzzle/samples/stairs/too-many-blocks", test_stairs_too_many_blocks);
  g_test_add_func ("/puzzle/run/not-allowed", test_not_allowed);
  g_test_add_func ("/puzzle/run/too-many-steps", test_too_many_steps);
  g_test_add_func ("/puzzle/run/collect", test_collect);
  g_test_add_func ("/puzzle/run/directions", test_directions);
  g_test_add_func ("/puzzle/run/start-on-goal", test_start_on_goal);
  g_test_add_func ("/puzzle/run/if-wall-ahead", test_if_wall_ahead);
  g_test_add_func ("/puzzle/run/describe", test_describe);
  g_test_add_func ("/puzzle/run/result-clear", test_result_clear);
  g_test_add_func ("/puzzle/program/round-trip", test_round_trip);
  g_test_add_func ("/puzzle/program/shape", test_program_shape);
  g_test_add_func ("/puzzle/program/normalize", test_normalize);
  g_test_add_func ("/puzzle/program/malformed", test_malformed);
  g_test_add_func ("/puzzle/program/validate", test_validate);
  g_test_add_func ("/puzzle/program/validate-very-deep", test_validate_very_deep);
  g_test_add_func ("/puzzle/program/block-copy", test_block_copy);
  g_test_add_func ("/puzzle/load/errors", test_load_errors);
  g_test_add_func ("/puzzle/load/minimal", test_load_minimal);
  g_test_add_func ("/puzzle/load/file-errors", test_load_file_errors);

  return g_test_run ();
}
