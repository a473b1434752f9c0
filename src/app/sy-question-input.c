/* sy-question-input.c — the answer controls of one quiz or survey question
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One widget for every question type, so the quiz view deals in responses only: it reads
 * the learner's answer as an xAPI response string (the format sy_question_grade() takes)
 * and shows a recorded one again after a restart.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sy-question-input.h"

#define RESPONSE_SEPARATOR "[,]"
#define PAIR_SEPARATOR     "[.]"

struct _SyQuestionInput
{
  GtkWidget      parent_instance;

  SyQuiz        *quiz;
  SyQuestion    *question;
  GArray        *order;        /* display order: indices into question->options */
  gboolean       locked;
  gboolean       has_response;

  GtkWidget     *box;
  GPtrArray     *buttons;      /* choices, Likert steps, true and false, in display order */
  GtkWidget     *entry;
  GtkTextBuffer *buffer;
  GtkWidget     *text_view;
  GtkWidget     *list;         /* ordering */
  GPtrArray     *rows;         /* ordering: GtkListBoxRow by position */
  GArray        *current;      /* ordering: option indices, in the learner's order */
  GPtrArray     *dropdowns;    /* matching: one per left side, in the question's order */
};

G_DEFINE_FINAL_TYPE (SyQuestionInput, sy_question_input, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HAS_RESPONSE,
  PROP_LOCKED,
  N_PROPS
};

enum {
  ACTIVATED,
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ---- */

static const char *
option_text (SyQuestion *q,
             guint       index)
{
  SyOption *option = g_ptr_array_index (q->options, index);

  return option->text ? sy_text_get (option->text, NULL) : option->id;
}

static const char *
option_right (SyQuestion *q,
              guint       index)
{
  SyOption *option = g_ptr_array_index (q->options, index);

  return option->right ? sy_text_get (option->right, NULL) : option->id;
}

static int
find_option (SyQuestion *q,
             const char *id)
{
  for (guint i = 0; i < q->options->len; i++)
    if (g_str_equal (((SyOption *) g_ptr_array_index (q->options, i))->id, id))
      return (int) i;
  return -1;
}

static gboolean
is_multiple (SyQuestion *q)
{
  return q->type == SY_QUESTION_MULTIPLE || (q->type == SY_QUESTION_CHOICE && q->multiple_choice);
}

static gboolean
uses_buttons (SyQuestion *q)
{
  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
      return TRUE;
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_SHORT_TEXT:
    case SY_QUESTION_ORDERING:
    case SY_QUESTION_MATCHING:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_TEXT:
    default:
      return FALSE;
    }
}

static const char *
button_id (GtkWidget *button)
{
  return g_object_get_data (G_OBJECT (button), "sy-response-id");
}

static gboolean
button_get_active (GtkWidget *button)
{
  if (GTK_IS_CHECK_BUTTON (button))
    return gtk_check_button_get_active (GTK_CHECK_BUTTON (button));
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button));
}

static void
button_set_active (GtkWidget *button,
                   gboolean   active)
{
  if (GTK_IS_CHECK_BUTTON (button))
    gtk_check_button_set_active (GTK_CHECK_BUTTON (button), active);
  else
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), active);
}

/**
 * sy_question_normalize_number:
 * @text: a number as typed
 *
 * What a learner types with a Chinese input method: full-width digits and point (NFKC
 * makes them ASCII), and “。”, which many input methods give for “.” in Chinese mode.
 *
 * Returns: (transfer full): the text with ASCII digits, trimmed; possibly not a number
 */
char *
sy_question_normalize_number (const char *text)
{
  g_autofree char *nfkc = NULL;
  g_autoptr(GString) s = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  nfkc = g_utf8_normalize (text, -1, G_NORMALIZE_ALL_COMPOSE);
  s = g_string_new (nfkc ? nfkc : text);
  g_string_replace (s, "\xe3\x80\x82", ".", 0);   /* 。 IDEOGRAPHIC FULL STOP */
  g_string_replace (s, "\xe2\x88\x92", "-", 0);   /* − MINUS SIGN */
  g_strstrip (s->str);
  return g_strdup (s->str);
}

/* ---- has-response ---- */

static gboolean
compute_has_response (SyQuestionInput *self)
{
  g_autofree char *response = sy_question_input_get_response (self);

  return response != NULL;
}

static void
update_has_response (SyQuestionInput *self)
{
  gboolean has_response = compute_has_response (self);

  if (self->has_response != has_response)
    {
      self->has_response = has_response;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_RESPONSE]);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- choices ---- */

/* The digit that chooses the option, so the keyboard shortcut is discoverable. */
static GtkWidget *
create_keycap (guint n)
{
  g_autofree char *digit = g_strdup_printf ("%u", n);
  GtkWidget *key = gtk_label_new (digit);

  gtk_widget_add_css_class (key, "quiz-key");
  gtk_widget_set_valign (key, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (key, GTK_ALIGN_CENTER);
  return key;
}

static GtkWidget *
create_option_label (const char *text,
                     gboolean    centered)
{
  GtkWidget *label = gtk_label_new (text);

  /* Option texts come from course packages: never markup. */
  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (centered)
    {
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_xalign (GTK_LABEL (label), 0.5);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
    }
  return label;
}

static void
add_button (SyQuestionInput *self,
            GtkWidget       *button,
            const char      *id,
            const char      *text)
{
  g_object_set_data_full (G_OBJECT (button), "sy-response-id", g_strdup (id), g_free);
  gtk_widget_add_css_class (button, "quiz-option");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  g_signal_connect_object (button, "notify::active", G_CALLBACK (update_has_response), self,
                           G_CONNECT_SWAPPED);
  g_ptr_array_add (self->buttons, button);
}

static GtkWidget *
create_check_option (SyQuestionInput *self,
                     const char      *id,
                     const char      *text,
                     GtkCheckButton  *group)
{
  GtkWidget *button = gtk_check_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  guint n = self->buttons->len + 1;

  gtk_box_append (GTK_BOX (content), create_option_label (text, FALSE));
  if (n <= 9)
    gtk_box_append (GTK_BOX (content), create_keycap (n));
  gtk_check_button_set_child (GTK_CHECK_BUTTON (button), content);
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (button), group);
  gtk_widget_add_css_class (button, "card");
  add_button (self, button, id, text);
  return button;
}

static GtkWidget *
create_toggle_option (SyQuestionInput *self,
                      const char      *id,
                      const char      *text,
                      GtkToggleButton *group)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  guint n = self->buttons->len + 1;

  if (n <= 9)
    gtk_box_append (GTK_BOX (content), create_keycap (n));
  gtk_box_append (GTK_BOX (content), create_option_label (text, TRUE));
  gtk_widget_set_valign (content, GTK_ALIGN_CENTER);
  gtk_button_set_child (GTK_BUTTON (button), content);
  if (group != NULL)
    gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
  gtk_widget_add_css_class (button, "quiz-toggle");
  gtk_widget_add_css_class (button, "card");
  gtk_widget_set_hexpand (button, TRUE);
  add_button (self, button, id, text);
  return button;
}

static void
build_choices (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkCheckButton *group = NULL;
  gboolean radio = !is_multiple (q);

  gtk_widget_add_css_class (box, "quiz-options");
  for (guint i = 0; i < self->order->len; i++)
    {
      guint index = g_array_index (self->order, guint, i);
      SyOption *option = g_ptr_array_index (q->options, index);
      GtkWidget *button = create_check_option (self, option->id, option_text (q, index), group);

      if (radio && group == NULL)
        group = GTK_CHECK_BUTTON (button);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_box_append (GTK_BOX (self->box), box);
}

static void
build_toggles (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkToggleButton *group = NULL;

  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
  gtk_widget_add_css_class (box, "quiz-toggles");

  if (q->type == SY_QUESTION_TRUE_FALSE)
    {
      GtkWidget *yes = create_toggle_option (self, "true", _("True"), NULL);
      GtkWidget *no = create_toggle_option (self, "false", _("False"), GTK_TOGGLE_BUTTON (yes));

      gtk_box_set_spacing (GTK_BOX (box), 12);
      gtk_widget_add_css_class (box, "quiz-true-false");
      gtk_box_append (GTK_BOX (box), yes);
      gtk_box_append (GTK_BOX (box), no);
    }
  else
    {
      /* Likert: lowest to highest, left to right, as the scale is written */
      for (guint i = 0; i < self->order->len; i++)
        {
          guint index = g_array_index (self->order, guint, i);
          SyOption *option = g_ptr_array_index (q->options, index);
          GtkWidget *button = create_toggle_option (self, option->id, option_text (q, index), group);

          if (group == NULL)
            group = GTK_TOGGLE_BUTTON (button);
          gtk_box_append (GTK_BOX (box), button);
        }
    }
  gtk_box_append (GTK_BOX (self->box), box);
}

/* ---- entries ---- */

static void
entry_activate_cb (SyQuestionInput *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static const char *
prompt_text (SyQuestion *q)
{
  return q->prompt ? sy_text_get (q->prompt, NULL) : q->id;
}

static void
build_entry (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  gboolean number = q->type == SY_QUESTION_NUMERIC || q->type == SY_QUESTION_NUMBER;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->entry = gtk_entry_new ();
  gtk_widget_add_css_class (self->entry, "quiz-entry");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, prompt_text (q),
                                  -1);
  if (number)
    {
      gtk_entry_set_input_purpose (GTK_ENTRY (self->entry), GTK_INPUT_PURPOSE_NUMBER);
      gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 10);
      gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), 12);
    }
  else
    gtk_widget_set_hexpand (self->entry, TRUE);
  g_signal_connect_object (self->entry, "changed", G_CALLBACK (update_has_response), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->entry, "activate", G_CALLBACK (entry_activate_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), self->entry);

  if (number && q->unit != NULL)
    {
      GtkWidget *unit = gtk_label_new (sy_text_get (q->unit, NULL));

      gtk_widget_add_css_class (unit, "quiz-unit");
      gtk_box_append (GTK_BOX (box), unit);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (self->entry),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, unit, NULL,
                                      -1);
    }
  gtk_box_append (GTK_BOX (self->box), box);
}

static void
build_text (SyQuestionInput *self)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  self->text_view = gtk_text_view_new ();
  self->buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (self->text_view), GTK_WRAP_WORD_CHAR);
  /* Tab moves on to the next control rather than typing a tab nobody wants */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->text_view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (self->text_view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (self->text_view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (self->text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (self->text_view), 12);
  gtk_widget_add_css_class (self->text_view, "quiz-text");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, prompt_text (self->question),
                                  GTK_ACCESSIBLE_PROPERTY_MULTI_LINE, TRUE,
                                  -1);
  g_signal_connect_object (self->buffer, "changed", G_CALLBACK (update_has_response), self,
                           G_CONNECT_SWAPPED);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 140);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 280);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), self->text_view);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_add_css_class (scroller, "quiz-text-frame");
  gtk_box_append (GTK_BOX (self->box), scroller);
}

/* ---- ordering ---- */

static GtkWidget *
row_child (GtkWidget  *row,
           const char *key)
{
  return g_object_get_data (G_OBJECT (row), key);
}

static void
update_ordering_rows (SyQuestionInput *self)
{
  guint n = self->rows->len;

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      const char *text = option_text (self->question, g_array_index (self->current, guint, i));
      g_autofree char *position = g_strdup_printf ("%u", i + 1);
      /* Translators: a step of an ordering question as a screen reader says it:
       * "3 of 5: Put the ice packs into the cold box" */
      g_autofree char *accessible = g_strdup_printf (_("%u of %u: %s"), i + 1, n, text);
      g_autofree char *up = NULL;
      g_autofree char *down = NULL;

      gtk_label_set_label (GTK_LABEL (row_child (row, "sy-position")), position);
      gtk_label_set_label (GTK_LABEL (row_child (row, "sy-text")), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                      -1);
      /* Translators: a button that moves a step of an ordering question up the list */
      up = g_strdup_printf (_("Move up: %s"), text);
      /* Translators: a button that moves a step of an ordering question down the list */
      down = g_strdup_printf (_("Move down: %s"), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row_child (row, "sy-up")),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, up,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row_child (row, "sy-down")),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, down,
                                      -1);
      gtk_widget_set_sensitive (row_child (row, "sy-up"), i > 0);
      gtk_widget_set_sensitive (row_child (row, "sy-down"), i + 1 < n);
    }
}

static int
row_position (SyQuestionInput *self,
              GtkWidget       *widget)
{
  GtkWidget *row = widget ? gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW) : NULL;
  guint index;

  if (row == NULL || !g_ptr_array_find (self->rows, row, &index))
    return -1;
  return (int) index;
}

static void
move_button_clicked_cb (GtkButton       *button,
                        SyQuestionInput *self)
{
  int position = row_position (self, GTK_WIDGET (button));
  int delta = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "sy-delta"));

  if (position >= 0)
    sy_question_input_move (self, position, delta);
}

static gboolean
ordering_key_pressed_cb (GtkEventControllerKey *controller,
                         guint                  keyval,
                         guint                  keycode,
                         GdkModifierType        state,
                         SyQuestionInput       *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  int position;
  int delta;

  if ((state & gtk_accelerator_get_default_mod_mask ()) != GDK_ALT_MASK)
    return FALSE;
  if (keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up)
    delta = -1;
  else if (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down)
    delta = 1;
  else
    return FALSE;

  position = row_position (self, root ? gtk_root_get_focus (root) : NULL);
  if (position < 0)
    return FALSE;
  sy_question_input_move (self, position, delta);
  return TRUE;
}

static GtkWidget *
create_move_button (SyQuestionInput *self,
                    const char      *icon,
                    const char      *tooltip,
                    int              delta)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, "quiz-move");
  g_object_set_data (G_OBJECT (button), "sy-delta", GINT_TO_POINTER (delta));
  g_signal_connect_object (button, "clicked", G_CALLBACK (move_button_clicked_cb), self, 0);
  return button;
}

static void
build_ordering (SyQuestionInput *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkWidget *hint;

  self->current = g_array_copy (self->order);
  self->rows = g_ptr_array_new ();
  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  gtk_widget_add_css_class (self->list, "quiz-ordering");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, prompt_text (self->question),
                                  -1);

  for (guint i = 0; i < self->current->len; i++)
    {
      GtkWidget *row = gtk_list_box_row_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      GtkWidget *position = gtk_label_new (NULL);
      GtkWidget *text = create_option_label (NULL, FALSE);
      GtkWidget *up = create_move_button (self, "go-up-symbolic", _("Move Up (Alt+↑)"), -1);
      GtkWidget *down = create_move_button (self, "go-down-symbolic", _("Move Down (Alt+↓)"), 1);

      gtk_widget_add_css_class (position, "quiz-position");
      gtk_widget_set_valign (position, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), position);
      gtk_box_append (GTK_BOX (box), text);
      gtk_box_append (GTK_BOX (box), up);
      gtk_box_append (GTK_BOX (box), down);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      g_object_set_data (G_OBJECT (row), "sy-position", position);
      g_object_set_data (G_OBJECT (row), "sy-text", text);
      g_object_set_data (G_OBJECT (row), "sy-up", up);
      g_object_set_data (G_OBJECT (row), "sy-down", down);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
      g_ptr_array_add (self->rows, row);
    }
  update_ordering_rows (self);

  /* Capture: the list box has bindings of its own for the arrow keys */
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (ordering_key_pressed_cb), self, 0);
  gtk_widget_add_controller (self->list, keys);

  hint = gtk_label_new (_("Put the steps in order with the arrow buttons, or with Alt+↑ and Alt+↓."));
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (self->box), hint);
  gtk_box_append (GTK_BOX (self->box), self->list);
}

/* ---- matching ---- */

static void
dropdown_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item)
{
  GtkWidget *label = create_option_label (NULL, FALSE);

  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_list_item_set_child (item, label);
}

static void
dropdown_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (string));
}

static void
build_matching (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  self->dropdowns = g_ptr_array_new ();
  for (guint i = 0; i < q->options->len; i++)
    {
      g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      GtkWidget *pair = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *left = create_option_label (option_text (q, i), FALSE);
      GtkWidget *dropdown;

      /* Position 0 is "nothing chosen yet", so a question starts unanswered */
      gtk_string_list_append (strings, _("Choose…"));
      for (guint j = 0; j < self->order->len; j++)
        gtk_string_list_append (strings, option_right (q, g_array_index (self->order, guint, j)));

      g_signal_connect (factory, "setup", G_CALLBACK (dropdown_setup_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (dropdown_bind_cb), NULL);
      dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&strings)), NULL);
      gtk_drop_down_set_factory (GTK_DROP_DOWN (dropdown), factory);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 0);
      gtk_widget_add_css_class (dropdown, "quiz-dropdown");
      gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, option_text (q, i),
                                      -1);
      g_signal_connect_object (dropdown, "notify::selected", G_CALLBACK (update_has_response),
                               self, G_CONNECT_SWAPPED);

      gtk_widget_add_css_class (left, "heading");
      gtk_box_append (GTK_BOX (pair), left);
      gtk_box_append (GTK_BOX (pair), dropdown);
      gtk_box_append (GTK_BOX (box), pair);
      g_ptr_array_add (self->dropdowns, dropdown);
    }
  gtk_box_append (GTK_BOX (self->box), box);
}

/* ---- the widget ---- */

static void
sy_question_input_dispose (GObject *object)
{
  SyQuestionInput *self = (SyQuestionInput *) object;

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_pointer (&self->buttons, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->dropdowns, g_ptr_array_unref);
  self->entry = NULL;
  self->text_view = NULL;
  self->buffer = NULL;
  self->list = NULL;

  G_OBJECT_CLASS (sy_question_input_parent_class)->dispose (object);
}

static void
sy_question_input_finalize (GObject *object)
{
  SyQuestionInput *self = (SyQuestionInput *) object;

  g_clear_pointer (&self->order, g_array_unref);
  g_clear_pointer (&self->current, g_array_unref);
  g_clear_pointer (&self->quiz, sy_quiz_unref);

  G_OBJECT_CLASS (sy_question_input_parent_class)->finalize (object);
}

static void
sy_question_input_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SyQuestionInput *self = SY_QUESTION_INPUT (object);

  switch (prop_id)
    {
    case PROP_HAS_RESPONSE:
      g_value_set_boolean (value, self->has_response);
      break;

    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_question_input_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SyQuestionInput *self = SY_QUESTION_INPUT (object);

  switch (prop_id)
    {
    case PROP_LOCKED:
      sy_question_input_set_locked (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_question_input_class_init (SyQuestionInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_question_input_dispose;
  object_class->finalize = sy_question_input_finalize;
  object_class->get_property = sy_question_input_get_property;
  object_class->set_property = sy_question_input_set_property;

  /**
   * SyQuestionInput:has-response:
   *
   * Whether the learner has chosen or typed an answer that can be submitted.
   */
  properties[PROP_HAS_RESPONSE] =
    g_param_spec_boolean ("has-response", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SyQuestionInput:locked:
   *
   * Whether the answer is committed: it is shown, and cannot be changed.
   */
  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SyQuestionInput::activated:
   *
   * Enter was pressed in a text entry.
   */
  signals[ACTIVATED] =
    g_signal_new ("activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * SyQuestionInput::changed:
   *
   * The learner changed the answer (chose, typed, moved a step).
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "questioninput");
}

static void
sy_question_input_init (SyQuestionInput *self)
{
  self->buttons = g_ptr_array_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

/**
 * sy_question_input_new:
 * @quiz: the quiz
 * @index: the question's index in @quiz
 * @seed: the attempt's seed, which orders the options
 *
 * Returns: (transfer floating): the controls for answering the question
 */
GtkWidget *
sy_question_input_new (SyQuiz  *quiz,
                       guint    index,
                       guint32  seed)
{
  SyQuestionInput *self;

  g_return_val_if_fail (quiz != NULL, NULL);
  g_return_val_if_fail (index < sy_quiz_get_n_questions (quiz), NULL);

  self = g_object_new (SY_TYPE_QUESTION_INPUT, NULL);
  self->quiz = sy_quiz_ref (quiz);
  self->question = sy_quiz_get_question (quiz, index);
  self->order = sy_question_shuffle (self->question, seed);

  switch (self->question->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_CHOICE:
      build_choices (self);
      break;
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_LIKERT:
      build_toggles (self);
      break;
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_NUMBER:
    case SY_QUESTION_SHORT_TEXT:
      build_entry (self);
      break;
    case SY_QUESTION_TEXT:
      build_text (self);
      break;
    case SY_QUESTION_ORDERING:
      build_ordering (self);
      break;
    case SY_QUESTION_MATCHING:
      build_matching (self);
      break;
    default:
      g_warn_if_reached ();
    }

  self->has_response = compute_has_response (self);
  return GTK_WIDGET (self);
}

SyQuestion *
sy_question_input_get_question (SyQuestionInput *self)
{
  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), NULL);

  return self->question;
}

static char *
buttons_response (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  /* in the question's own order, so a record does not depend on the shuffle */
  if (q->type == SY_QUESTION_TRUE_FALSE)
    {
      for (guint i = 0; i < self->buttons->len; i++)
        if (button_get_active (g_ptr_array_index (self->buttons, i)))
          g_strv_builder_add (ids, button_id (g_ptr_array_index (self->buttons, i)));
    }
  else
    for (guint i = 0; i < q->options->len; i++)
      for (guint j = 0; j < self->buttons->len; j++)
        {
          GtkWidget *button = g_ptr_array_index (self->buttons, j);

          if (g_array_index (self->order, guint, j) == i && button_get_active (button))
            g_strv_builder_add (ids, button_id (button));
        }

  strv = g_strv_builder_end (ids);
  if (strv[0] == NULL)
    return NULL;
  return g_strjoinv (RESPONSE_SEPARATOR, strv);
}

static char *
matching_response (SyQuestionInput *self)
{
  SyQuestion *q = self->question;
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < self->dropdowns->len; i++)
    {
      guint selected = gtk_drop_down_get_selected (g_ptr_array_index (self->dropdowns, i));
      SyOption *left = g_ptr_array_index (q->options, i);
      SyOption *right;

      if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > self->order->len)
        return NULL;
      right = g_ptr_array_index (q->options, g_array_index (self->order, guint, selected - 1));
      if (i > 0)
        g_string_append (s, RESPONSE_SEPARATOR);
      g_string_append_printf (s, "%s" PAIR_SEPARATOR "%s", left->id, right->id);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * sy_question_input_get_response:
 *
 * Returns: (transfer full) (nullable): the learner's answer as an xAPI response, or %NULL
 *   while there is none (nothing chosen, an empty entry, a left side without its match)
 */
char *
sy_question_input_get_response (SyQuestionInput *self)
{
  SyQuestion *q;

  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), NULL);

  q = self->question;
  if (q == NULL)
    return NULL;

  if (uses_buttons (q))
    return buttons_response (self);

  switch (q->type)
    {
    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_NUMBER:
      {
        g_autofree char *text = sy_question_normalize_number (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
        return text[0] ? g_steal_pointer (&text) : NULL;
      }

    case SY_QUESTION_SHORT_TEXT:
      {
        g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
        return text[0] ? g_steal_pointer (&text) : NULL;
      }

    case SY_QUESTION_TEXT:
      {
        GtkTextIter start, end;
        g_autofree char *text = NULL;

        gtk_text_buffer_get_bounds (self->buffer, &start, &end);
        text = g_strstrip (gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE));
        return text[0] ? g_steal_pointer (&text) : NULL;
      }

    case SY_QUESTION_ORDERING:
      {
        g_autoptr(GString) s = g_string_new (NULL);

        /* every order is an answer: the shuffle never starts in the solved one */
        for (guint i = 0; i < self->current->len; i++)
          {
            SyOption *option = g_ptr_array_index (q->options, g_array_index (self->current, guint, i));

            if (i > 0)
              g_string_append (s, RESPONSE_SEPARATOR);
            g_string_append (s, option->id);
          }
        return g_string_free (g_steal_pointer (&s), FALSE);
      }

    case SY_QUESTION_MATCHING:
      return matching_response (self);

    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_TRUE_FALSE:
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
    default:
      return NULL;
    }
}

gboolean
sy_question_input_get_has_response (SyQuestionInput *self)
{
  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), FALSE);

  return self->has_response;
}

static void
set_ordering (SyQuestionInput *self,
              GStrv            ids)
{
  SyQuestion *q = self->question;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gboolean *seen = g_new0 (gboolean, q->options->len);

  for (guint i = 0; ids[i]; i++)
    {
      int index = find_option (q, ids[i]);

      if (index < 0 || seen[index])
        return;
      seen[index] = TRUE;
      g_array_append_val (order, index);
    }
  if (order->len != q->options->len)
    return;
  g_array_unref (self->current);
  self->current = g_steal_pointer (&order);
  update_ordering_rows (self);
}

static void
set_matching (SyQuestionInput *self,
              GStrv            pairs)
{
  SyQuestion *q = self->question;

  for (guint i = 0; pairs[i]; i++)
    {
      g_auto(GStrv) lr = g_strsplit (pairs[i], PAIR_SEPARATOR, 2);
      int left, right;

      if (g_strv_length (lr) != 2 || (left = find_option (q, lr[0])) < 0 ||
          (right = find_option (q, lr[1])) < 0)
        continue;
      for (guint j = 0; j < self->order->len; j++)
        if (g_array_index (self->order, guint, j) == (guint) right)
          gtk_drop_down_set_selected (g_ptr_array_index (self->dropdowns, left), j + 1);
    }
}

/**
 * sy_question_input_set_response:
 * @response: (nullable): a recorded response, or %NULL to clear
 *
 * Shows @response in the controls; the parts of it that do not fit the question are
 * left out.
 */
void
sy_question_input_set_response (SyQuestionInput *self,
                                const char      *response)
{
  SyQuestion *q;
  g_auto(GStrv) parts = NULL;

  g_return_if_fail (SY_IS_QUESTION_INPUT (self));

  q = self->question;
  parts = g_strsplit (response ? response : "", RESPONSE_SEPARATOR, -1);

  if (uses_buttons (q))
    {
      for (guint i = 0; i < self->buttons->len; i++)
        {
          GtkWidget *button = g_ptr_array_index (self->buttons, i);

          button_set_active (button, response != NULL &&
                                     g_strv_contains ((const char * const *) parts, button_id (button)));
        }
    }
  else if (self->entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), response ? response : "");
  else if (self->buffer != NULL)
    gtk_text_buffer_set_text (self->buffer, response ? response : "", -1);
  else if (q->type == SY_QUESTION_ORDERING && response != NULL)
    set_ordering (self, parts);
  else if (q->type == SY_QUESTION_MATCHING)
    {
      for (guint i = 0; i < self->dropdowns->len; i++)
        gtk_drop_down_set_selected (g_ptr_array_index (self->dropdowns, i), 0);
      if (response != NULL)
        set_matching (self, parts);
    }

  update_has_response (self);
}

/**
 * sy_question_input_choose:
 * @n: an option's position on screen, from 1
 *
 * What the number keys do: chooses the @n-th option (or for several-answer questions,
 * turns it on or off) and moves the focus there.
 *
 * Returns: whether the question has an @n-th option to choose
 */
gboolean
sy_question_input_choose (SyQuestionInput *self,
                          guint            n)
{
  GtkWidget *button;

  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), FALSE);

  if (self->locked || !uses_buttons (self->question) || n < 1 || n > self->buttons->len)
    return FALSE;

  button = g_ptr_array_index (self->buttons, n - 1);
  if (is_multiple (self->question))
    button_set_active (button, !button_get_active (button));
  else
    button_set_active (button, TRUE);
  gtk_widget_grab_focus (button);
  return TRUE;
}

gboolean
sy_question_input_get_locked (SyQuestionInput *self)
{
  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), FALSE);

  return self->locked;
}

/**
 * sy_question_input_set_locked:
 *
 * Locks the controls once the answer is committed: a recorded answer is never changed.
 */
void
sy_question_input_set_locked (SyQuestionInput *self,
                              gboolean         locked)
{
  g_return_if_fail (SY_IS_QUESTION_INPUT (self));

  locked = !!locked;
  if (self->locked == locked)
    return;

  self->locked = locked;
  gtk_widget_set_sensitive (self->box, !locked);
  if (locked)
    gtk_widget_add_css_class (GTK_WIDGET (self), "locked");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "locked");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

/* A mark beside the option's text, so right and wrong do not rest on colour alone */
static void
mark_option (GtkWidget *button,
             gboolean   right)
{
  GtkWidget *content = GTK_IS_CHECK_BUTTON (button)
                       ? gtk_check_button_get_child (GTK_CHECK_BUTTON (button))
                       : gtk_button_get_child (GTK_BUTTON (button));
  GtkWidget *mark = gtk_image_new_from_icon_name (right ? "object-select-symbolic"
                                                        : "window-close-symbolic");

  gtk_widget_add_css_class (button, right ? "correct" : "wrong");
  gtk_widget_add_css_class (mark, "quiz-mark");
  gtk_widget_set_halign (mark, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  right ? _("Right answer") : _("Wrong answer"),
                                  -1);
  gtk_box_append (GTK_BOX (content), mark);
}

/**
 * sy_question_input_show_correct:
 *
 * Marks the right options, and the wrong ones the learner chose, of a choice or
 * true-false question. Other types say the right answer in words (see
 * sy_question_describe_response()).
 */
void
sy_question_input_show_correct (SyQuestionInput *self)
{
  SyQuestion *q;

  g_return_if_fail (SY_IS_QUESTION_INPUT (self));

  q = self->question;
  if (q->type != SY_QUESTION_SINGLE && q->type != SY_QUESTION_MULTIPLE &&
      q->type != SY_QUESTION_TRUE_FALSE)
    return;

  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);
      const char *id = button_id (button);
      gboolean right;

      if (q->type == SY_QUESTION_TRUE_FALSE)
        right = g_str_equal (id, q->answer_bool ? "true" : "false");
      else
        right = q->answer_ids && g_strv_contains ((const char * const *) q->answer_ids, id);

      if (right)
        mark_option (button, TRUE);
      else if (button_get_active (button))
        mark_option (button, FALSE);
    }
}

/**
 * sy_question_input_focus:
 *
 * Puts the keyboard focus on the first control (the chosen option, if any).
 */
void
sy_question_input_focus (SyQuestionInput *self)
{
  g_return_if_fail (SY_IS_QUESTION_INPUT (self));

  if (self->buttons->len > 0)
    {
      for (guint i = 0; i < self->buttons->len; i++)
        if (button_get_active (g_ptr_array_index (self->buttons, i)))
          {
            gtk_widget_grab_focus (g_ptr_array_index (self->buttons, i));
            return;
          }
      gtk_widget_grab_focus (g_ptr_array_index (self->buttons, 0));
    }
  else if (self->entry != NULL)
    gtk_widget_grab_focus (self->entry);
  else if (self->text_view != NULL)
    gtk_widget_grab_focus (self->text_view);
  else if (self->rows != NULL && self->rows->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->rows, 0));
  else if (self->dropdowns != NULL && self->dropdowns->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->dropdowns, 0));
}

/**
 * sy_question_input_move:
 * @position: a step's position in an ordering question, from 0
 * @delta: -1 to move it up, 1 to move it down
 *
 * Moves a step, keeping the keyboard focus on it.
 *
 * Returns: whether it moved
 */
gboolean
sy_question_input_move (SyQuestionInput *self,
                        guint            position,
                        int              delta)
{
  GtkRoot *root;
  GtkWidget *focus;
  GtkWidget *row;
  GtkWidget *target;
  guint other;
  guint tmp;

  g_return_val_if_fail (SY_IS_QUESTION_INPUT (self), FALSE);

  if (self->locked || self->current == NULL || position >= self->current->len ||
      (delta < 0 && position == 0) || (delta > 0 && position + 1 >= self->current->len) ||
      delta == 0)
    return FALSE;

  other = delta < 0 ? position - 1 : position + 1;
  tmp = g_array_index (self->current, guint, position);
  g_array_index (self->current, guint, position) = g_array_index (self->current, guint, other);
  g_array_index (self->current, guint, other) = tmp;

  /* The rows stay where they are and show the steps in their new places; the focus
   * follows the step that moved, on the same kind of control when it is still usable. */
  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root ? gtk_root_get_focus (root) : NULL;
  row = g_ptr_array_index (self->rows, position);
  target = g_ptr_array_index (self->rows, other);
  update_ordering_rows (self);
  g_signal_emit (self, signals[CHANGED], 0);

  if (focus != NULL && focus == row_child (row, "sy-up") &&
      gtk_widget_get_sensitive (row_child (target, "sy-up")))
    gtk_widget_grab_focus (row_child (target, "sy-up"));
  else if (focus != NULL && focus == row_child (row, "sy-down") &&
           gtk_widget_get_sensitive (row_child (target, "sy-down")))
    gtk_widget_grab_focus (row_child (target, "sy-down"));
  else
    gtk_widget_grab_focus (target);
  return TRUE;
}

/* ---- describing responses ---- */

static void
append_line (GString    *s,
             const char *line)
{
  if (s->len > 0)
    g_string_append_c (s, '\n');
  g_string_append (s, line);
}

/**
 * sy_question_describe_response:
 * @response: (nullable): a response in xAPI format
 *
 * Puts a response in the learner's words, for reviews and for showing the right answer:
 * option texts rather than ids, one per line.
 *
 * Returns: (transfer full): the text
 */
char *
sy_question_describe_response (SyQuestion *question,
                               const char *response)
{
  SyQuestion *q = question;
  g_autoptr(GString) s = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (question != NULL, NULL);

  if (response == NULL || response[0] == '\0')
    return g_strdup (_("No answer"));

  parts = g_strsplit (response, RESPONSE_SEPARATOR, -1);
  switch (q->type)
    {
    case SY_QUESTION_SINGLE:
    case SY_QUESTION_MULTIPLE:
    case SY_QUESTION_LIKERT:
    case SY_QUESTION_CHOICE:
      for (guint i = 0; parts[i]; i++)
        {
          int index = find_option (q, parts[i]);
          append_line (s, index >= 0 ? option_text (q, index) : parts[i]);
        }
      break;

    case SY_QUESTION_TRUE_FALSE:
      append_line (s, g_str_equal (response, "true") ? _("True")
                      : g_str_equal (response, "false") ? _("False") : response);
      break;

    case SY_QUESTION_NUMERIC:
    case SY_QUESTION_NUMBER:
      if (q->unit != NULL)
        /* Translators: a number and its unit: "2 times", "3000 yuan" */
        g_string_printf (s, _("%s %s"), response, sy_text_get (q->unit, NULL));
      else
        append_line (s, response);
      break;

    case SY_QUESTION_ORDERING:
      for (guint i = 0; parts[i]; i++)
        {
          int index = find_option (q, parts[i]);
          /* Translators: one step of an answer to an ordering question: "1. Take the ice packs out" */
          g_autofree char *line = g_strdup_printf (_("%u. %s"), i + 1,
                                                   index >= 0 ? option_text (q, index) : parts[i]);
          append_line (s, line);
        }
      break;

    case SY_QUESTION_MATCHING:
      for (guint i = 0; parts[i]; i++)
        {
          g_auto(GStrv) lr = g_strsplit (parts[i], PAIR_SEPARATOR, 2);
          int left = lr[0] ? find_option (q, lr[0]) : -1;
          int right = lr[0] && lr[1] ? find_option (q, lr[1]) : -1;
          g_autofree char *line = NULL;

          if (left < 0 || right < 0)
            continue;
          /* Translators: one pair of an answer to a matching question: "VVM square dark → Do not use it" */
          line = g_strdup_printf (_("%s → %s"), option_text (q, left), option_right (q, right));
          append_line (s, line);
        }
      break;

    case SY_QUESTION_SHORT_TEXT:
    case SY_QUESTION_TEXT:
    default:
      append_line (s, response);
      break;
    }

  return g_string_free (g_steal_pointer (&s), FALSE);
}
