"""What a reader should look at, one line per figure and per table (HTML report and Snakemake's report).

The evaluation tasks' captions are rows of :data:`aelab.config.TASKS`; the
report adds its own tables' captions here.
"""

from aelab.config import TASKS

FIGURE_CAPTIONS: dict[tuple[str, str], str] = {
    (task, name): caption for task, spec in TASKS.items() for name, caption in spec.figures.items()
}

TABLE_CAPTIONS: dict[str, str] = {task: spec.table_caption for task, spec in TASKS.items()} | {
    "crossval": "k-fold cross-validation of the training objective: mean ± std of each held-out loss term over folds.",
    "denoising-summary": "Output PSNR (dB, higher is better) per test noise, by the noise each model was trained on: "
    "read off which model denoises which noise best.",
}

LOSS_CURVES_CAPTION = (
    "Test loss per epoch of each variant (mean over seeds, band: ± one std): "
    "compare levels only between variants with the same loss."
)
